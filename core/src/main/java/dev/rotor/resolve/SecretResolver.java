package dev.rotor.resolve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.AccessDeniedException;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.Rotor;
import dev.rotor.RotorException;
import dev.rotor.Secret;
import dev.rotor.SecretFieldException;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.audit.AuditContext;
import dev.rotor.resolve.Resolution.Entry;
import dev.rotor.resolve.Resolution.Source;
import dev.rotor.resolve.UnresolvedRef.Reason;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves the {@code secret://} references in an application's configuration at startup, in
 * one parallel pass.
 *
 * <p>A value is a reference if it starts with {@code secret://} or {@code optional:secret://}:
 * <ul>
 *   <li>{@code secret://main/db/app#password} must resolve;
 *   <li>{@code optional:secret://main/feature/key} is left out if the secret (or field) does not exist;
 *   <li>{@code secret://main/app/timeout|default:30} gives {@code 30} if the secret (or field)
 *       does not exist. {@code |} never occurs in a ref, so the ref ends where {@code |default:}
 *       begins. {@link Resolution#source} tells a default from a secret.
 * </ul>
 * A default or {@code optional:} covers only a missing secret, version or field: an unknown
 * store, a refused or failed read still fails the pass.
 *
 * <p>One pass groups the references by store and selector and makes one
 * {@link SecretStore#getAll} call per group (so AWS reads 20 secrets per call); the groups run
 * concurrently on virtual threads, and each distinct (store, path, selector) is read once
 * however many references name it. If anything fails, the pass throws one
 * {@link SecretResolutionException} listing every reference that failed and why, and returns
 * nothing: the input is never modified, and a {@link Resolution} exists only when everything
 * resolved.
 *
 * <p>Thread-safe: it holds only the store lookup; each call is an independent pass. The audit
 * caller of the calling thread ({@link AuditContext}) is carried to the reading threads.
 */
public final class SecretResolver {

    private static final Logger LOG = LoggerFactory.getLogger(SecretResolver.class);
    private static final Object REMOVE = new Object();

    private final Function<String, @Nullable SecretStore> stores;
    private final Supplier<Collection<String>> storeNames;

    private SecretResolver(Function<String, @Nullable SecretStore> stores, Supplier<Collection<String>> storeNames) {
        this.stores = stores;
        this.storeNames = storeNames;
    }

    /** Resolves against the stores of {@code rotor}, with their audit and cache layers. */
    public static SecretResolver of(Rotor rotor) {
        Objects.requireNonNull(rotor, "rotor");
        return new SecretResolver(name -> rotor.storeNames().contains(name) ? rotor.store(name) : null, rotor::storeNames);
    }

    /** Resolves against {@code stores}, each known by its {@link SecretStore#name()}. */
    public static SecretResolver of(Collection<? extends SecretStore> stores) {
        Map<String, SecretStore> byName = new LinkedHashMap<>();
        for (SecretStore s : stores) {
            if (byName.putIfAbsent(s.name(), s) != null) {
                throw new IllegalArgumentException("two stores are named '" + s.name() + "'");
            }
        }
        return new SecretResolver(byName::get, byName::keySet);
    }

    public static SecretResolver of(SecretStore... stores) {
        return of(List.of(stores));
    }

    // ---- sources -----------------------------------------------------------------------

    /**
     * Resolves the references among the values of {@code properties} (including its defaults).
     * {@link Resolution#resolved()} gives new, flat {@code Properties} of the string entries
     * (entries with a non-string key or value are not carried over); an absent optional one is left out.
     */
    public Resolution<Properties> resolve(Properties properties) {
        Objects.requireNonNull(properties, "properties");
        Map<String, String> snapshot = new LinkedHashMap<>();
        for (String name : properties.stringPropertyNames()) {
            snapshot.put(name, properties.getProperty(name));
        }
        return resolveFlat(snapshot, flat -> {
            Properties out = new Properties();
            out.putAll(flat);
            return out;
        });
    }

    /** Resolves the references in a snapshot of the system properties; they are not changed. */
    public Resolution<Properties> resolveSystemProperties() {
        return resolve(System.getProperties());
    }

    /** Resolves the references among the process's environment variables. */
    public Resolution<Map<String, String>> resolveEnvironment() {
        return resolveEnvironment(System.getenv());
    }

    /** Resolves the references among {@code variables}, as if they were the environment. */
    public Resolution<Map<String, String>> resolveEnvironment(Map<String, String> variables) {
        Objects.requireNonNull(variables, "variables");
        return resolveFlat(new LinkedHashMap<>(variables), flat -> flat);
    }

    /**
     * Resolves the string leaves of a tree of maps and lists, e.g. YAML loaded by a parser. Keys
     * are turned into strings with {@code String.valueOf}. {@link Resolution#resolved()} gives a
     * new tree of {@code LinkedHashMap}s and {@code ArrayList}s sharing the non-string leaves.
     */
    public Resolution<Map<String, Object>> resolve(Map<String, ?> tree) {
        Objects.requireNonNull(tree, "tree");
        List<RefText> found = new ArrayList<>();
        @SuppressWarnings("unchecked")
        Map<String, Object> snapshot = (Map<String, Object>) copyTree(tree, "", (loc, text) -> {
            if (RefText.isRef(text)) {
                found.add(RefText.parse(loc, text));
            }
            return text;
        });
        return run(found, entries -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> out = (Map<String, Object>) copyTree(snapshot, "", (loc, text) -> replacement(entries, loc, text));
            return out;
        });
    }

    /**
     * Resolves the text leaves of a JSON or YAML tree. {@link Resolution#resolved()} gives a new
     * tree; a resolved value is a text node, an absent optional one is removed from its object
     * (null in an array).
     */
    public Resolution<JsonNode> resolve(JsonNode tree) {
        Objects.requireNonNull(tree, "tree");
        JsonNode snapshot = tree.deepCopy();
        List<RefText> found = new ArrayList<>();
        copyJson(snapshot, "", (loc, text) -> {
            if (RefText.isRef(text)) {
                found.add(RefText.parse(loc, text));
            }
            return text;
        });
        return run(found, entries -> copyJson(snapshot, "", (loc, text) -> replacement(entries, loc, text)));
    }

    private <T> Resolution<T> resolveFlat(Map<String, String> snapshot, Function<Map<String, String>, T> finish) {
        List<RefText> found = new ArrayList<>();
        snapshot.forEach((name, text) -> {
            if (RefText.isRef(text)) {
                found.add(RefText.parse(name, text));
            }
        });
        return run(found, entries -> {
            Map<String, String> out = new LinkedHashMap<>();
            snapshot.forEach((name, text) -> {
                Object r = replacement(entries, name, text);
                if (r != REMOVE) {
                    out.put(name, (String) r);
                }
            });
            return finish.apply(out);
        });
    }

    /** What a leaf becomes: its resolved text, {@link #REMOVE}, or itself if it held no reference. */
    private static Object replacement(Map<String, Entry> entries, String location, String text) {
        Entry e = entries.get(location);
        if (e == null) {
            return text;
        }
        return e.value() == null ? REMOVE : e.value().asUtf8();
    }

    private static Object copyTree(Object node, String location, BiFunction<String, String, Object> leaf) {
        if (node instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String key = String.valueOf(e.getKey());
                Object v = e.getValue() == null ? null : copyTree(e.getValue(), child(location, key), leaf);
                if (v != REMOVE) {
                    out.put(key, v);
                }
            }
            return out;
        }
        if (node instanceof Collection<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            int i = 0;
            for (Object item : list) {
                Object v = item == null ? null : copyTree(item, location + "[" + i++ + "]", leaf);
                out.add(v == REMOVE ? null : v);
            }
            return out;
        }
        if (node instanceof String text) {
            return leaf.apply(location, text);
        }
        return node;
    }

    private static JsonNode copyJson(JsonNode node, String location, BiFunction<String, String, Object> leaf) {
        JsonNodeFactory nodes = JsonNodeFactory.instance;
        if (node.isObject()) {
            ObjectNode out = nodes.objectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                JsonNode v = copyJson(e.getValue(), child(location, e.getKey()), leaf);
                if (v != null) {
                    out.set(e.getKey(), v);
                }
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = nodes.arrayNode();
            for (int i = 0; i < node.size(); i++) {
                JsonNode v = copyJson(node.get(i), location + "[" + i + "]", leaf);
                out.add(v == null ? nodes.nullNode() : v);
            }
            return out;
        }
        if (node.isTextual()) {
            Object r = leaf.apply(location, node.textValue());
            return r == REMOVE ? null : nodes.textNode((String) r);
        }
        return node.deepCopy();
    }

    private static String child(String location, String key) {
        boolean plain = !key.isEmpty() && key.indexOf('.') < 0 && key.indexOf('[') < 0 && key.indexOf(']') < 0;
        if (!plain) {
            return location + "[" + key + "]";
        }
        return location.isEmpty() ? key : location + "." + key;
    }

    // ---- the pass ------------------------------------------------------------------------

    private record Group(String store, Selector selector) {}

    private record Read(String store, String path, Selector selector) {}

    /** What one group's read gave: the secrets found, or the failure. */
    private record GroupResult(Map<String, Secret> found, @Nullable RuntimeException failure) {}

    private <T> Resolution<T> run(List<RefText> refs, Function<Map<String, Entry>, T> rebuild) {
        long started = System.nanoTime();
        List<UnresolvedRef> failures = new ArrayList<>();
        Map<String, SecretStore> opened = new HashMap<>();
        Map<Group, Set<String>> groups = new LinkedHashMap<>();
        for (RefText r : refs) {
            SecretRef ref = r.ref();
            if (ref == null) {
                continue;
            }
            SecretStore store = opened.containsKey(ref.store()) ? opened.get(ref.store()) : stores.apply(ref.store());
            opened.put(ref.store(), store);
            if (store != null) {
                groups.computeIfAbsent(new Group(ref.store(), ref.selector()), g -> new LinkedHashSet<>()).add(ref.path());
            }
        }
        Map<Group, GroupResult> results = readAll(groups, opened);
        Map<String, Entry> entries = new LinkedHashMap<>();
        try {
            for (RefText r : refs) {
                switch (resolveOne(r, opened, results)) {
                    case Failed f -> failures.add(f.unresolved());
                    case Done d -> entries.put(r.location(), d.entry());
                }
            }
        } finally {
            for (GroupResult g : results.values()) {
                g.found().values().forEach(s -> s.value().destroy());
            }
        }
        if (!failures.isEmpty()) {
            entries.values().forEach(e -> {
                if (e.value() != null) {
                    e.value().destroy();
                }
            });
            LOG.debug("{} of {} secret refs could not be resolved", failures.size(), refs.size());
            throw new SecretResolutionException(failures);
        }
        LOG.debug("resolved {} secret refs with {} store reads in {} ms", refs.size(), groups.size(),
                (System.nanoTime() - started) / 1_000_000);
        return new Resolution<>(entries, rebuild);
    }

    /** One group per virtual thread; with a single group, the caller's thread does the read. */
    private Map<Group, GroupResult> readAll(Map<Group, Set<String>> groups, Map<String, SecretStore> opened) {
        Map<Group, GroupResult> results = new HashMap<>();
        if (groups.size() == 1) {
            Map.Entry<Group, Set<String>> only = groups.entrySet().iterator().next();
            results.put(only.getKey(), read(opened.get(only.getKey().store()), only.getKey(), only.getValue()));
            return results;
        }
        AuditContext.Caller caller = AuditContext.current();
        Map<Group, Future<GroupResult>> running = new LinkedHashMap<>();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            groups.forEach((group, paths) -> {
                SecretStore store = opened.get(group.store());
                Supplier<GroupResult> work = () -> read(store, group, paths);
                running.put(group, threads.submit(() -> caller == null ? work.get()
                        : AuditContext.callAs(caller.actor(), caller.requestId(), work)));
            });
        }
        boolean interrupted = false;
        for (Map.Entry<Group, Future<GroupResult>> f : running.entrySet()) {
            try {
                results.put(f.getKey(), f.getValue().get());
            } catch (InterruptedException e) {
                interrupted = true;
                results.put(f.getKey(), new GroupResult(Map.of(), new RotorException("interrupted while reading", e)));
            } catch (ExecutionException e) {
                // read() catches every RuntimeException; only an Error gets here.
                results.put(f.getKey(), new GroupResult(Map.of(),
                        new RotorException("reading failed with " + e.getCause().getClass().getSimpleName(), null)));
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        return results;
    }

    private static GroupResult read(SecretStore store, Group group, Set<String> paths) {
        try {
            return new GroupResult(store.getAll(paths, group.selector()), null);
        } catch (RuntimeException e) {
            LOG.debug("store '{}': reading {} secrets ({}) failed with {}", group.store(), paths.size(), group.selector(),
                    e.getClass().getSimpleName());
            return new GroupResult(Map.of(), e);
        }
    }

    /** What became of one reference. */
    private sealed interface Outcome permits Done, Failed {}

    private record Done(Entry entry) implements Outcome {}

    private record Failed(UnresolvedRef unresolved) implements Outcome {}

    private Outcome resolveOne(RefText r, Map<String, SecretStore> opened, Map<Group, GroupResult> results) {
        SecretRef ref = r.ref();
        if (ref == null) {
            return new Failed(new UnresolvedRef(r.location(), r.written(), Reason.INVALID_REF, Objects.requireNonNull(r.problem())));
        }
        if (opened.get(ref.store()) == null) {
            return new Failed(new UnresolvedRef(r.location(), r.written(), Reason.UNKNOWN_STORE, "no store named '" + ref.store()
                    + "' is configured (configured: " + String.join(", ", storeNames.get()) + ")"));
        }
        GroupResult group = results.get(new Group(ref.store(), ref.selector()));
        if (group.failure() != null) {
            return new Failed(failed(r, group.failure()));
        }
        Secret secret = group.found().get(ref.path());
        if (secret == null) {
            return missing(r, ref, Reason.NOT_FOUND, SecretNotFoundException.of(ref.store(), ref.path(), ref.selector()).getMessage());
        }
        String field = ref.field();
        if (field == null) {
            return new Done(new Entry(ref, Source.SECRET, SecretValue.wrap(secret.value().bytes())));
        }
        try {
            return new Done(new Entry(ref, Source.SECRET, secret.value().field(field)));
        } catch (SecretFieldException e) {
            return missing(r, ref, Reason.NO_SUCH_FIELD, "version " + secret.version().id() + ": " + e.getMessage());
        }
    }

    private static Outcome missing(RefText r, SecretRef ref, Reason reason, String detail) {
        return switch (r.mode()) {
            case REQUIRED -> new Failed(new UnresolvedRef(r.location(), r.written(), reason, detail));
            case OPTIONAL -> new Done(new Entry(ref, Source.ABSENT, null));
            case DEFAULT -> new Done(new Entry(ref, Source.DEFAULT, SecretValue.ofUtf8(Objects.requireNonNull(r.defaultText()))));
        };
    }

    private static UnresolvedRef failed(RefText r, RuntimeException e) {
        Reason reason = switch (e) {
            case AccessDeniedException a -> Reason.ACCESS_DENIED;
            case ProviderUnavailableException p -> Reason.STORE_UNAVAILABLE;
            case SecretNotFoundException n -> Reason.NOT_FOUND;
            default -> Reason.FAILED;
        };
        // Rotor's messages hold no values; anything else may, so only its type is shown.
        String detail = e instanceof RotorException ? e.getMessage() : e.getClass().getName();
        return new UnresolvedRef(r.location(), r.written(), reason, String.valueOf(detail));
    }
}
