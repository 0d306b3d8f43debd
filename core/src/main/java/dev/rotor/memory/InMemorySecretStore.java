package dev.rotor.memory;

import dev.rotor.Capabilities;
import dev.rotor.ConflictException;
import dev.rotor.Health;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.jspecify.annotations.Nullable;

/**
 * The reference {@link SecretStore}: everything in memory, with the exact semantics the
 * contract tests describe. Used in tests, benchmarks and as the backend of examples.
 *
 * <p>Thread-safe: each secret is guarded by its own monitor; no I/O happens under it.
 */
public final class InMemorySecretStore implements SecretStore {

    public static final Capabilities CAPABILITIES = new Capabilities(1 << 20, true, true, true);

    private final String name;
    private final Clock clock;
    private final ConcurrentSkipListMap<String, Entry> secrets = new ConcurrentSkipListMap<>();
    private final Map<String, Long> counters = new ConcurrentHashMap<>();

    public InMemorySecretStore(String name, Clock clock) {
        SecretRef.checkStoreName(name);
        this.name = name;
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public InMemorySecretStore(String name) {
        this(name, Clock.systemUTC());
    }

    private static final class Version {
        final String id;
        final Instant created;
        final Map<String, String> tags;
        final SecretValue value;

        Version(String id, Instant created, Map<String, String> tags, SecretValue value) {
            this.id = id;
            this.created = created;
            this.tags = tags;
            this.value = value;
        }
    }

    private static final class Entry {
        final List<Version> versions = new ArrayList<>();
        final Map<Stage, String> stages = new EnumMap<>(Stage.class);
        final Map<String, String> idempotency = new HashMap<>();
        boolean deleted;

        VersionInfo info(Version v) {
            Set<Stage> s = EnumSet.noneOf(Stage.class);
            stages.forEach((stage, id) -> {
                if (id.equals(v.id)) {
                    s.add(stage);
                }
            });
            return new VersionInfo(v.id, v.created, s, v.tags);
        }

        @Nullable Version find(String id) {
            for (Version v : versions) {
                if (v.id.equals(id)) {
                    return v;
                }
            }
            return null;
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    private Entry existing(String path) {
        SecretRef.checkPath(path);
        Entry e = secrets.get(path);
        if (e == null) {
            throw SecretNotFoundException.of(name, path);
        }
        return e;
    }

    @Override
    public Secret get(String path, Selector selector) {
        Entry e = existing(path);
        synchronized (e) {
            if (e.deleted) {
                throw SecretNotFoundException.of(name, path);
            }
            String id = switch (selector) {
                case Selector.ByStage s -> e.stages.get(s.stage());
                case Selector.ByVersion v -> v.versionId();
            };
            Version v = id == null ? null : e.find(id);
            if (v == null) {
                throw SecretNotFoundException.of(name, path, selector);
            }
            return new Secret(path, e.info(v), SecretValue.wrap(v.value.bytes()));
        }
    }

    @Override
    public VersionInfo put(String path, SecretValue value, PutOptions options) {
        SecretRef.checkPath(path);
        if (value.length() > CAPABILITIES.maxValueBytes()) {
            throw new IllegalArgumentException("value of secret '" + path + "' is " + value.length()
                    + " bytes; store '" + name + "' holds at most " + CAPABILITIES.maxValueBytes());
        }
        while (true) {
            Entry e = secrets.computeIfAbsent(path, p -> new Entry());
            synchronized (e) {
                if (e.deleted) {
                    secrets.remove(path, e);
                    continue;
                }
                if (options.idempotencyKey() != null) {
                    String prior = e.idempotency.get(options.idempotencyKey());
                    if (prior != null) {
                        return e.info(Objects.requireNonNull(e.find(prior)));
                    }
                }
                String id = Long.toString(counters.merge(path, 1L, Long::sum));
                Version v = new Version(id, clock.instant(), options.tags(), SecretValue.of(value.bytes()));
                e.versions.add(v);
                if (options.stage() == Stage.CURRENT) {
                    String old = e.stages.put(Stage.CURRENT, id);
                    if (old != null) {
                        e.stages.put(Stage.PREVIOUS, old);
                    }
                } else {
                    e.stages.put(Stage.PENDING, id);
                }
                if (options.idempotencyKey() != null) {
                    e.idempotency.put(options.idempotencyKey(), id);
                }
                return e.info(v);
            }
        }
    }

    @Override
    public List<VersionInfo> versions(String path) {
        Entry e = existing(path);
        synchronized (e) {
            if (e.deleted) {
                throw SecretNotFoundException.of(name, path);
            }
            return e.versions.stream().map(e::info).toList();
        }
    }

    @Override
    public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
        Entry e = existing(path);
        synchronized (e) {
            if (e.deleted) {
                throw SecretNotFoundException.of(name, path);
            }
            Version target = e.find(versionId);
            if (target == null) {
                throw SecretNotFoundException.of(name, path, Selector.version(versionId));
            }
            String current = e.stages.get(Stage.CURRENT);
            if (expectedCurrentVersionId != null && !expectedCurrentVersionId.equals(current)) {
                throw new ConflictException("cannot promote version '" + versionId + "' of secret '" + path
                        + "': CURRENT is at '" + current + "', expected '" + expectedCurrentVersionId + "'");
            }
            if (!versionId.equals(current)) {
                e.stages.put(Stage.CURRENT, versionId);
                if (current != null) {
                    e.stages.put(Stage.PREVIOUS, current);
                }
            }
            if (versionId.equals(e.stages.get(Stage.PENDING))) {
                e.stages.remove(Stage.PENDING);
            }
            return e.info(target);
        }
    }

    @Override
    public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
        if (stage == Stage.CURRENT) {
            throw new IllegalArgumentException("CURRENT moves only through promote()");
        }
        Entry e = existing(path);
        synchronized (e) {
            if (e.deleted) {
                throw SecretNotFoundException.of(name, path);
            }
            if (versionId != null && e.find(versionId) == null) {
                throw SecretNotFoundException.of(name, path, Selector.version(versionId));
            }
            String now = e.stages.get(stage);
            if (expectedVersionId != null && !expectedVersionId.equals(now)) {
                throw new ConflictException("cannot move " + stage + " of secret '" + path + "': it is at '" + now
                        + "', expected '" + expectedVersionId + "'");
            }
            if (versionId == null) {
                e.stages.remove(stage);
            } else {
                e.stages.put(stage, versionId);
            }
        }
    }

    @Override
    public List<String> list(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        List<String> out = new ArrayList<>();
        for (var en : secrets.tailMap(prefix, true).entrySet()) {
            if (!en.getKey().startsWith(prefix)) {
                break;
            }
            synchronized (en.getValue()) {
                if (!en.getValue().deleted && !en.getValue().versions.isEmpty()) {
                    out.add(en.getKey());
                }
            }
        }
        return out;
    }

    @Override
    public void delete(String path) {
        Entry e = existing(path);
        synchronized (e) {
            if (e.deleted) {
                throw SecretNotFoundException.of(name, path);
            }
            e.deleted = true;
            secrets.remove(path, e);
        }
    }

    @Override
    public Health health() {
        return Health.up(Duration.ZERO);
    }

    @Override
    public void close() {
        // nothing to release
    }

    @Override
    public String toString() {
        return "InMemorySecretStore[" + name + ", " + secrets.size() + " secrets]";
    }
}
