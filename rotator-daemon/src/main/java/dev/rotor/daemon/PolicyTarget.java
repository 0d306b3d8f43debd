package dev.rotor.daemon;

import dev.rotor.SecretRef;
import dev.rotor.Selector;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/** What a policy rotates: one secret, or every secret of a store that matches a selector. */
public sealed interface PolicyTarget {

    /** The store the secrets are in. */
    String store();

    /** One secret, by its ref (CURRENT stage, no field). */
    record Single(SecretRef ref) implements PolicyTarget {
        public Single {
            Objects.requireNonNull(ref, "ref");
            if (ref.field() != null || !ref.selector().equals(Selector.CURRENT)) {
                throw new IllegalArgumentException("a policy names a secret, without #field or ?stage/version");
            }
        }

        @Override
        public String store() {
            return ref.store();
        }
    }

    /**
     * Every secret of {@code store} whose path starts with {@code prefix} and whose CURRENT version
     * carries all of {@code tags}.
     */
    record Matching(String store, String prefix, Map<String, String> tags) implements PolicyTarget {
        public Matching {
            SecretRef.checkStoreName(store);
            Objects.requireNonNull(prefix, "prefix");
            tags = Map.copyOf(new TreeMap<>(tags));
        }

        /** Whether a secret at {@code path} with these CURRENT tags belongs to the policy. */
        public boolean matches(String path, Map<String, String> currentTags) {
            if (!path.startsWith(prefix)) {
                return false;
            }
            for (Map.Entry<String, String> t : tags.entrySet()) {
                if (!t.getValue().equals(currentTags.get(t.getKey()))) {
                    return false;
                }
            }
            return true;
        }
    }
}
