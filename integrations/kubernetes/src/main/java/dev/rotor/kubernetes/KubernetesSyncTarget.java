package dev.rotor.kubernetes;

import dev.rotor.ConfigProblem;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Where a rotated secret's CURRENT value goes in Kubernetes: one Secret, its data keys, and the
 * Deployments to restart afterwards. Written under a policy in {@code rotor.yaml}:
 *
 * <pre>{@code
 * sync:
 *   kubernetes:
 *     namespace: payments
 *     secret: app-db                    # created if missing
 *     keys: password                    # the whole value under one key
 *     # keys: { username: DB_USER, password: DB_PASSWORD }   # JSON fields to keys
 *     restart: [payments-api]           # Deployments, restarted like kubectl rollout restart
 * }</pre>
 *
 * @param namespace the Secret's namespace (and the Deployments')
 * @param secret the Secret's name
 * @param wholeValueKey the data key holding the whole value, or {@code null} when {@code fields} maps JSON fields
 * @param fields JSON field name to data key; empty when {@code wholeValueKey} is set
 * @param restart names of Deployments to restart after each sync, in order
 */
public record KubernetesSyncTarget(String namespace, String secret, @Nullable String wholeValueKey, Map<String, String> fields,
        List<String> restart) {

    /** A DNS-1123 label (namespaces) and subdomain (Secrets, Deployments). */
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    /** What Kubernetes accepts as a key of a Secret's data. */
    private static final Pattern DATA_KEY = Pattern.compile("[-._a-zA-Z0-9]{1,253}");

    public KubernetesSyncTarget {
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(secret, "secret");
        fields = Collections.unmodifiableMap(new LinkedHashMap<>(fields));
        restart = List.copyOf(restart);
        List<ConfigProblem> problems = new ArrayList<>();
        check(namespace, secret, wholeValueKey, fields, restart, "kubernetes", true, problems);
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems.stream().map(ConfigProblem::toString).toList()));
        }
    }

    /** {@code kubernetes:ns/secret}: names the target in logs, errors and alerts. */
    public String describe() {
        return "kubernetes:" + namespace + "/" + secret;
    }

    /**
     * Binds a policy's {@code sync:} block, adding every problem to {@code problems}, each naming its field.
     *
     * @param fieldPath the block's path, e.g. {@code policies[0].sync}
     * @return the target, or {@code null} if the block has problems
     */
    public static @Nullable KubernetesSyncTarget bind(@Nullable Object rawSync, String fieldPath, List<ConfigProblem> problems) {
        if (!(rawSync instanceof Map<?, ?> sync)) {
            problems.add(new ConfigProblem(fieldPath, "must be a mapping with a kubernetes: block, " + found(rawSync)));
            return null;
        }
        int before = problems.size();
        for (Object k : sync.keySet()) {
            if (!"kubernetes".equals(k)) {
                problems.add(new ConfigProblem(fieldPath + "." + k, "unknown key (known: kubernetes)"));
            }
        }
        String f = fieldPath + ".kubernetes";
        Object raw = sync.get("kubernetes");
        if (!(raw instanceof Map<?, ?> m)) {
            problems.add(new ConfigProblem(f, "required: a mapping of namespace, secret, keys and restart, " + found(raw)));
            return null;
        }
        for (Object k : m.keySet()) {
            if (!Set.of("namespace", "secret", "keys", "restart").contains(String.valueOf(k))) {
                problems.add(new ConfigProblem(f + "." + k, "unknown key (known: namespace, secret, keys, restart)"));
            }
        }
        String namespace = string(m, "namespace", f, problems);
        String secret = string(m, "secret", f, problems);
        String wholeValueKey = null;
        Map<String, String> fields = new LinkedHashMap<>();
        Object keys = m.get("keys");
        if (keys instanceof String s) {
            wholeValueKey = s;
        } else if (keys instanceof Map<?, ?> km && !km.isEmpty()) {
            km.forEach((field, key) -> {
                if (key instanceof String ks) {
                    fields.put(String.valueOf(field), ks);
                } else {
                    problems.add(new ConfigProblem(f + ".keys." + field, "must be a Secret data key (a string), " + found(key)));
                }
            });
        } else {
            problems.add(new ConfigProblem(f + ".keys", "required: one data key for the whole value, or a mapping of JSON field to data key, "
                    + found(keys)));
        }
        List<String> restart = new ArrayList<>();
        Object rawRestart = m.get("restart");
        if (rawRestart instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                if (l.get(i) instanceof String d) {
                    restart.add(d);
                } else {
                    problems.add(new ConfigProblem(f + ".restart[" + i + "]", "must be a Deployment name, " + found(l.get(i))));
                }
            }
        } else if (rawRestart != null) {
            problems.add(new ConfigProblem(f + ".restart", "must be a list of Deployment names, " + found(rawRestart)));
        }
        if (namespace != null && secret != null) {
            check(namespace, secret, wholeValueKey, fields, restart, f, false, problems);
        }
        if (problems.size() != before || namespace == null || secret == null) {
            return null;
        }
        return new KubernetesSyncTarget(namespace, secret, wholeValueKey, fields, restart);
    }

    private static void check(String namespace, String secret, @Nullable String wholeValueKey, Map<String, String> fields,
            List<String> restart, String f, boolean requireKeys, List<ConfigProblem> problems) {
        if (!LABEL.matcher(namespace).matches()) {
            problems.add(new ConfigProblem(f + ".namespace", "'" + namespace + "' is not a namespace name (lower-case DNS label)"));
        }
        if (!SUBDOMAIN.matcher(secret).matches()) {
            problems.add(new ConfigProblem(f + ".secret", "'" + secret + "' is not a Secret name (lower-case DNS subdomain)"));
        }
        // bind() reports missing keys itself, with what it found instead
        if (requireKeys && wholeValueKey == null && fields.isEmpty()) {
            problems.add(new ConfigProblem(f + ".keys", "must name at least one data key"));
        }
        if (wholeValueKey != null && !fields.isEmpty()) {
            problems.add(new ConfigProblem(f + ".keys", "give one data key or a field mapping, not both"));
        }
        if (wholeValueKey != null && !DATA_KEY.matcher(wholeValueKey).matches()) {
            problems.add(new ConfigProblem(f + ".keys", "'" + wholeValueKey + "' is not a Secret data key (A-Z a-z 0-9 - _ .)"));
        }
        Set<String> seen = new java.util.HashSet<>();
        fields.forEach((field, key) -> {
            if (!DATA_KEY.matcher(key).matches()) {
                problems.add(new ConfigProblem(f + ".keys." + field, "'" + key + "' is not a Secret data key (A-Z a-z 0-9 - _ .)"));
            } else if (!seen.add(key)) {
                problems.add(new ConfigProblem(f + ".keys." + field, "data key '" + key + "' is mapped from another field too"));
            }
        });
        for (int i = 0; i < restart.size(); i++) {
            if (!SUBDOMAIN.matcher(restart.get(i)).matches()) {
                problems.add(new ConfigProblem(f + ".restart[" + i + "]", "'" + restart.get(i) + "' is not a Deployment name (lower-case DNS subdomain)"));
            }
        }
    }

    private static @Nullable String string(Map<?, ?> m, String key, String f, List<ConfigProblem> problems) {
        Object v = m.get(key);
        if (v instanceof String s && !s.isBlank()) {
            return s;
        }
        problems.add(new ConfigProblem(f + "." + key, "required: a name, " + found(v)));
        return null;
    }

    private static String found(@Nullable Object v) {
        if (v == null) {
            return "found nothing";
        }
        String type = v instanceof Map<?, ?> ? "a mapping" : v instanceof List<?> ? "a list" : v instanceof String ? "a string"
                : "a " + v.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT);
        return "found " + type;
    }
}
