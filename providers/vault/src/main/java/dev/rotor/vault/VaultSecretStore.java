package dev.rotor.vault;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.Capabilities;
import dev.rotor.ConflictException;
import dev.rotor.Health;
import dev.rotor.InvalidSecretRefException;
import dev.rotor.PutOptions;
import dev.rotor.RotorException;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretRef;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.vault.StateRecord.Intent;
import dev.rotor.vault.StateRecord.VersionEntry;
import dev.rotor.vault.ValueCodec.Encoded;
import dev.rotor.vault.ValueCodec.Encoding;
import dev.rotor.vault.VaultClient.Conn;
import dev.rotor.vault.VaultClient.KvMetadata;
import dev.rotor.vault.VaultClient.KvVersion;
import dev.rotor.vault.VaultClient.KvWritten;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SecretStore} on a HashiCorp Vault or OpenBao KV version 2 mount. For a secret at Rotor
 * path {@code p} (under the store's {@code pathPrefix}) it uses three KV paths:
 * <ul>
 *   <li>{@code p} itself, the <em>live</em> path: its latest version is always CURRENT, so
 *       {@code vault kv get} and every other plain reader see exactly what Rotor calls CURRENT;
 *   <li>{@code _rotor/versions/p}: a copy of every version Rotor writes, CURRENT or PENDING; the
 *       KV version number of the copy is the Rotor version id, so ids are stable;
 *   <li>{@code _rotor/state/p}: the {@link StateRecord} with versions, tags, stages and
 *       promotions under way, replaced only with check-and-set.
 * </ul>
 * A PENDING version exists only in the copy and the record, where plain readers do not look.
 * Promotion writes the version as the next live version with check-and-set on the live path, after
 * announcing it in the record; the steps, and what a crash between them leaves, are described in
 * {@code docs/providers.md}. Writes made to the live path by anyone else become CURRENT for
 * Rotor too, under ids {@code L<live version>}.
 *
 * <p>Thread-safe and safe across processes: all coordination is check-and-set in Vault; the store
 * holds no lock and no per-secret state. A writer that loses a check-and-set waits a short random
 * time before trying again ({@link ConflictBackoff}), so contending writers do not starve one
 * another. Calls renew or replace the token as needed
 * ({@link VaultTokens}).
 */
public final class VaultSecretStore implements SecretStore {

    /** 128 KiB: text doubles at most under JSON escaping, binary grows by a third in base64; both stay well under Vault's storage entry limits. */
    public static final Capabilities CAPABILITIES = new Capabilities(128 * 1024, true, false, true);

    /** The first path segment the store keeps for itself under its prefix. */
    public static final String RESERVED_SEGMENT = "_rotor";

    static final String ENCODING_METADATA_KEY = "rotor-encoding";
    static final String VERSION_METADATA_KEY = "rotor-version";

    private static final Logger LOG = LoggerFactory.getLogger(VaultSecretStore.class);
    private static final int MAX_ATTEMPTS = 16;
    private static final Pattern LIST_PREFIX = Pattern.compile("[A-Za-z0-9._/-]*");

    /** Points in the multi-step writes, for tests that simulate a crash between steps. */
    enum Step { COPY_WRITTEN, INTENT_WRITTEN, LIVE_WRITTEN, STATE_DELETED }

    interface StepHook {
        StepHook NONE = (step, path) -> { };

        void reached(Step step, String path);
    }

    private final String name;
    private final VaultClient client;
    private final VaultTokens tokens;
    private final String mount;
    private final String prefix;
    private final int maxVersions;
    private volatile StepHook hook = StepHook.NONE;
    private volatile ConflictBackoff backoff = ConflictBackoff.standard();
    private volatile boolean closed;

    VaultSecretStore(String name, VaultClient client, VaultTokens tokens, String mount, String pathPrefix, int maxVersions) {
        SecretRef.checkStoreName(name);
        this.name = name;
        this.client = client;
        this.tokens = tokens;
        this.mount = mount;
        this.prefix = pathPrefix.isEmpty() ? "" : pathPrefix + "/";
        this.maxVersions = maxVersions;
    }

    void stepHook(StepHook newHook) {
        this.hook = Objects.requireNonNull(newHook);
    }

    /** Replaces the wait between conflicting attempts, so tests record waits instead of waiting. */
    void conflictBackoff(ConflictBackoff newBackoff) {
        this.backoff = Objects.requireNonNull(newBackoff);
    }

    VaultTokens tokens() {
        return tokens;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    /** The KV path (under the mount) that plain readers read for a Rotor path. */
    public String livePath(String path) {
        checkPath(path);
        return prefix + path;
    }

    private String copies(String p) {
        return prefix + RESERVED_SEGMENT + "/versions/" + p;
    }

    private String state(String p) {
        return prefix + RESERVED_SEGMENT + "/state/" + p;
    }

    private static void checkPath(String path) {
        SecretRef.checkPath(path);
        if (path.equals(RESERVED_SEGMENT) || path.startsWith(RESERVED_SEGMENT + "/")) {
            throw new InvalidSecretRefException(path, "invalid path: the first path segment '" + RESERVED_SEGMENT
                    + "' is reserved for the Vault store's own records", 0);
        }
    }

    // ---- reading the state ------------------------------------------------------------------

    private record Snapshot(@Nullable StateRecord record, long recordVersion, @Nullable KvVersion live) {
        long k() {
            return live == null ? 0 : live.version();
        }

        boolean exists() {
            return record != null || k() > 0;
        }

    }

    /**
     * Reads the live path, then the record. In that order a promotion seen live is always announced
     * in the record read after it; a record that is ahead of the live read (finished meanwhile)
     * makes the live read repeat.
     */
    private Snapshot load(Conn c, String p) {
        KvVersion live = client.readData(c, prefix + p, null);
        for (int i = 0; ; i++) {
            KvVersion st = client.readData(c, state(p), null);
            StateRecord r = st == null || st.data() == null ? null : StateRecord.fromJson(st.data(), mount + "/data/" + state(p));
            long k = live == null ? 0 : live.version();
            if (r != null && r.asOfLive() > k && i < 2) {
                live = client.readData(c, prefix + p, null);
                continue;
            }
            return new Snapshot(r, st == null ? 0 : st.version(), live);
        }
    }

    private record Attribution(String id, @Nullable VersionEntry adopted) {}

    /** Brings the record up to the live version a plain reader sees. */
    private View derive(Conn c, String p, Snapshot s) {
        StateRecord r = s.record() == null ? StateRecord.EMPTY : s.record();
        long k = s.k();
        Map<Long, String> live = new TreeMap<>();
        r.live().forEach((j, id) -> {
            try {
                live.put(Long.parseLong(j), id);
            } catch (NumberFormatException e) {
                // not written by Rotor: ignore
            }
        });
        List<VersionEntry> entries = new ArrayList<>(r.versions());
        String current = r.current();
        String pending = r.pending();
        String previous = r.previous();
        long base = r.asOfLive();
        if (k < base) {
            // The live path was deleted and written anew outside Rotor: its old numbers mean nothing now.
            live.clear();
            current = null;
            previous = null;
            base = 0;
        }
        // Only the last two live versions Rotor has not recorded are attributed: enough for PREVIOUS.
        for (long j = Math.max(base + 1, k - 1); j <= k; j++) {
            String id = live.get(j);
            if (id == null) {
                Attribution a = attribute(c, p, s, r, entries, j);
                id = a.id();
                live.put(j, id);
                if (a.adopted() != null) {
                    entries.add(a.adopted());
                }
            }
            if (!id.equals(current)) {
                previous = current;
                current = id;
            }
            if (id.equals(pending)) {
                pending = null;
            }
        }
        List<Intent> open = r.intents().stream().filter(i -> i.live() > k).toList();
        return new View(current, pending, previous, k, live, entries, open);
    }

    /**
     * Which version live version {@code j} carries: a promotion announced for it whose value it holds
     * exactly, or else a write from outside Rotor, {@code L<j>}.
     */
    private Attribution attribute(Conn c, String p, Snapshot s, StateRecord r, List<VersionEntry> entries, long j) {
        KvVersion lv = j == s.k() ? s.live() : client.readData(c, prefix + p, j);
        if (lv != null && lv.data() != null) {
            for (Intent intent : r.intents()) {
                if (intent.live() != j) {
                    continue;
                }
                VersionEntry e = find(entries, intent.id());
                if (e == null) {
                    continue;
                }
                byte[] value = storedValue(c, p, s, e);
                if (value != null) {
                    boolean same = ValueCodec.encode(value).live().equals(lv.data());
                    Arrays.fill(value, (byte) 0);
                    if (same) {
                        return new Attribution(intent.id(), null);
                    }
                }
            }
        }
        String id = StateRecord.liveId(j);
        if (find(entries, id) != null) {
            return new Attribution(id, null);
        }
        Instant created = lv == null ? Instant.EPOCH : lv.created();
        return new Attribution(id, new VersionEntry(id, created, Map.of(), Encoding.JSON, false, null, null, null));
    }

    private static @Nullable VersionEntry find(List<VersionEntry> entries, String id) {
        for (VersionEntry e : entries) {
            if (e.id().equals(id)) {
                return e;
            }
        }
        return null;
    }

    /** The value of a version: from the live data when that is exact, else from the copy; null if Vault no longer has it. */
    private byte @Nullable [] valueOf(Conn c, String p, Snapshot s, View v, VersionEntry e) {
        if (!StateRecord.isLiveId(e.id()) && e.id().equals(v.current()) && e.id().equals(v.live().get(s.k()))
                && s.live() != null && s.live().data() != null) {
            byte[] fromLive = ValueCodec.decode(s.live().data(), e.encoding(), e.exact(), e.fields());
            if (fromLive != null) {
                return fromLive;
            }
        }
        return storedValue(c, p, s, e);
    }

    private byte @Nullable [] storedValue(Conn c, String p, Snapshot s, VersionEntry e) {
        if (StateRecord.isLiveId(e.id())) {
            long j = StateRecord.liveNumber(e.id());
            KvVersion lv = j == s.k() ? s.live() : client.readData(c, prefix + p, j);
            return lv == null || lv.data() == null ? null : ValueCodec.compact(lv.data());
        }
        long n;
        try {
            n = Long.parseLong(e.id());
        } catch (NumberFormatException x) {
            return null;
        }
        KvVersion copy = client.readData(c, copies(p), n);
        return copy == null || copy.data() == null ? null : ValueCodec.fromCopyDocument(copy.data());
    }

    /** Replaces the record with check-and-set; false if someone else replaced it first. */
    private boolean writeState(Conn c, String p, Snapshot s, View next) {
        return writeStateVersion(c, p, s, next) != null;
    }

    /** As {@link #writeState}, returning the record's new KV version, or null. */
    private @Nullable KvWritten writeStateVersion(Conn c, String p, Snapshot s, View next) {
        StateRecord record = next.toRecord(maxVersions);
        KvWritten w = client.writeData(c, state(p), record.toJson(), s.recordVersion());
        if (w == null) {
            return null;
        }
        if (s.record() != null) {
            Set<String> kept = new HashSet<>();
            record.versions().forEach(e -> kept.add(e.id()));
            List<Long> dropped = new ArrayList<>();
            for (VersionEntry e : next.entries()) {
                if (!kept.contains(e.id()) && !StateRecord.isLiveId(e.id())) {
                    dropped.add(Long.parseLong(e.id()));
                }
            }
            if (!dropped.isEmpty()) {
                try {
                    client.destroyVersions(c, copies(p), dropped);
                } catch (RotorException e) {
                    LOG.debug("store '{}': could not destroy old copies {} of '{}': {}", name, dropped, p, e.getMessage());
                }
            }
        }
        return w;
    }

    // ---- SecretStore ---------------------------------------------------------------------------

    @Override
    public Secret get(String path, Selector selector) {
        checkPath(path);
        Objects.requireNonNull(selector, "selector");
        return run(c -> {
            Snapshot s = load(c, path);
            if (!s.exists()) {
                throw SecretNotFoundException.of(name, path);
            }
            View v = derive(c, path, s);
            String id = switch (selector) {
                case Selector.ByStage st -> v.stage(st.stage());
                case Selector.ByVersion ver -> ver.versionId();
            };
            VersionEntry e = id == null ? null : v.find(id);
            if (e == null) {
                throw SecretNotFoundException.of(name, path, selector);
            }
            if (selector.equals(Selector.CURRENT) && (s.live() == null || s.live().data() == null)) {
                // The latest live version was deleted in Vault: plain readers get nothing, and so does Rotor.
                throw SecretNotFoundException.of(name, path, selector);
            }
            byte[] value = valueOf(c, path, s, v, e);
            if (value == null) {
                throw SecretNotFoundException.of(name, path, selector);
            }
            return new Secret(path, v.info(e), SecretValue.wrap(value));
        });
    }

    @Override
    public List<VersionInfo> versions(String path) {
        checkPath(path);
        return run(c -> {
            Snapshot s = load(c, path);
            if (!s.exists()) {
                throw SecretNotFoundException.of(name, path);
            }
            return derive(c, path, s).versions();
        });
    }

    @Override
    public VersionInfo put(String path, SecretValue value, PutOptions options) {
        checkPath(path);
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(options, "options");
        int max = CAPABILITIES.maxValueBytes();
        if (value.length() > max) {
            throw new IllegalArgumentException("value of secret '" + path + "' is " + value.length()
                    + " bytes; store '" + name + "' holds at most " + max);
        }
        byte[] bytes = value.bytes();
        try {
            Encoded encoded = ValueCodec.encode(bytes);
            return run(c -> putWith(c, path, bytes, encoded, options));
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private VersionInfo putWith(Conn c, String p, byte[] bytes, Encoded encoded, PutOptions options) {
        VersionEntry mine = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            backoff.beforeAttempt(attempt, name, "put", p);
            Snapshot s = load(c, p);
            View v = derive(c, p, s);
            if (mine == null && options.idempotencyKey() != null) {
                VersionEntry hit = v.byIdempotencyKey(options.idempotencyKey());
                if (hit != null) {
                    // A put as CURRENT that crashed before its live write is finished, if nothing newer came since.
                    boolean unfinished = options.stage() == Stage.CURRENT && hit.requested() == Stage.CURRENT
                            && !v.everLive(hit.id()) && v.isNewest(hit.id());
                    if (!unfinished) {
                        LOG.debug("store '{}': put to '{}' repeats an idempotency key; returning version {}", name, p, hit.id());
                        return v.info(hit);
                    }
                    mine = hit;
                }
            }
            if (mine == null) {
                if (s.record() == null) {
                    limitCopies(c, p);
                }
                KvWritten w = Objects.requireNonNull(client.writeData(c, copies(p), ValueCodec.copyDocument(bytes), null));
                mine = new VersionEntry(Long.toString(w.version()), w.created(), options.tags(), encoded.encoding(),
                        encoded.exact(), encoded.fields(), options.idempotencyKey(), options.stage());
                hook.reached(Step.COPY_WRITTEN, p);
            }
            View withMine = v.withEntry(mine);
            if (options.stage() == Stage.PENDING) {
                View next = withMine.withStage(Stage.PENDING, mine.id());
                if (writeState(c, p, s, next)) {
                    LOG.debug("store '{}': wrote version {} of '{}' as PENDING", name, mine.id(), p);
                    return next.info(mine);
                }
                continue;
            }
            if (mine.id().equals(v.current())) {
                return v.info(mine);
            }
            VersionInfo done = makeLive(c, p, s, withMine, mine, encoded);
            if (done != null) {
                return done;
            }
        }
        throw gaveUp("put", p);
    }

    /**
     * Makes {@code entry} CURRENT: announce it in the record for live version k+1, write it live with
     * check-and-set k, then record the result. Null if another writer got in between (try again).
     */
    private @Nullable VersionInfo makeLive(Conn c, String p, Snapshot s, View v, VersionEntry entry, Encoded encoded) {
        long k = s.k();
        View announced = v.withIntent(new Intent(entry.id(), k + 1, v.current()));
        KvWritten record = writeStateVersion(c, p, s, announced);
        if (record == null) {
            return null;
        }
        hook.reached(Step.INTENT_WRITTEN, p);
        KvWritten live = client.writeData(c, prefix + p, encoded.live(), k);
        if (live == null) {
            return null;
        }
        hook.reached(Step.LIVE_WRITTEN, p);
        LOG.debug("store '{}': version {} of '{}' is CURRENT (live version {})", name, entry.id(), p, live.version());
        Snapshot after = new Snapshot(announced.toRecord(maxVersions).withLive(live.version(), entry.id()), record.version(),
                new KvVersion(live.version(), live.created(), encoded.live()));
        finish(c, p, after, entry.id(), encoded.encoding());
        return new VersionInfo(entry.id(), entry.created(), Set.of(Stage.CURRENT), entry.tags());
    }

    /**
     * After a live write: record which version it carries (one check-and-set against the record as
     * this writer left it; if someone got in between, readers attribute the live version by its
     * value and the next writer records it), and note it in the live path's custom metadata.
     */
    private void finish(Conn c, String p, Snapshot after, String id, Encoding encoding) {
        try {
            writeState(c, p, after, derive(c, p, after));
        } catch (RotorException e) {
            LOG.debug("store '{}': could not record live version {} of '{}' yet (readers attribute it): {}",
                    name, after.k(), p, e.getMessage());
        }
        try {
            KvMetadata meta = client.readMetadata(c, prefix + p);
            Map<String, String> custom = new TreeMap<>(meta == null ? Map.of() : meta.customMetadata());
            custom.put(VERSION_METADATA_KEY, id);
            custom.put(ENCODING_METADATA_KEY, encoding.name().toLowerCase(java.util.Locale.ROOT));
            if (meta == null || !custom.equals(meta.customMetadata())) {
                ObjectNode body = VaultClient.JSON.createObjectNode();
                custom.forEach(body.putObject("custom_metadata")::put);
                client.writeMetadata(c, prefix + p, body);
            }
        } catch (RotorException e) {
            LOG.debug("store '{}': could not note version {} in the custom metadata of '{}': {}", name, id, p, e.getMessage());
        }
    }

    /** Keeps enough copies for {@code maxVersions} versions plus stragglers, whatever the mount's default. */
    private void limitCopies(Conn c, String p) {
        try {
            ObjectNode body = VaultClient.JSON.createObjectNode();
            body.put("max_versions", maxVersions * 2 + 10);
            client.writeMetadata(c, copies(p), body);
        } catch (RotorException e) {
            LOG.debug("store '{}': could not set max_versions of the copies of '{}': {}", name, p, e.getMessage());
        }
    }

    @Override
    public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
        checkPath(path);
        Objects.requireNonNull(versionId, "versionId");
        return run(c -> {
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                backoff.beforeAttempt(attempt, name, "promote", path);
                Snapshot s = load(c, path);
                if (!s.exists()) {
                    throw SecretNotFoundException.of(name, path);
                }
                View v = derive(c, path, s);
                VersionEntry e = v.find(versionId);
                if (e == null) {
                    throw SecretNotFoundException.of(name, path, Selector.version(versionId));
                }
                if (expectedCurrentVersionId != null && !expectedCurrentVersionId.equals(v.current())) {
                    throw new ConflictException("cannot promote version '" + versionId + "' of secret '" + path + "' in store '"
                            + name + "': CURRENT is at '" + v.current() + "', expected '" + expectedCurrentVersionId + "'");
                }
                if (versionId.equals(v.current())) {
                    if (versionId.equals(v.pending())) {
                        View next = v.withStage(Stage.PENDING, null);
                        if (!writeState(c, path, s, next)) {
                            continue;
                        }
                        return next.info(e);
                    }
                    return v.info(e);
                }
                byte[] value = storedValue(c, path, s, e);
                if (value == null) {
                    throw SecretNotFoundException.of(name, path, Selector.version(versionId));
                }
                Encoded encoded;
                try {
                    encoded = ValueCodec.encode(value);
                } finally {
                    Arrays.fill(value, (byte) 0);
                }
                VersionInfo done = makeLive(c, path, s, v, e, encoded);
                if (done != null) {
                    return done;
                }
            }
            throw gaveUp("promote", path);
        });
    }

    @Override
    public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
        Objects.requireNonNull(stage, "stage");
        if (stage == Stage.CURRENT) {
            throw new IllegalArgumentException("CURRENT moves only through promote()");
        }
        checkPath(path);
        run(c -> {
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                backoff.beforeAttempt(attempt, name, "move " + stage + " of", path);
                Snapshot s = load(c, path);
                if (!s.exists()) {
                    throw SecretNotFoundException.of(name, path);
                }
                View v = derive(c, path, s);
                if (versionId != null && v.find(versionId) == null) {
                    throw SecretNotFoundException.of(name, path, Selector.version(versionId));
                }
                String now = v.stage(stage);
                if (expectedVersionId != null && !expectedVersionId.equals(now)) {
                    throw new ConflictException("cannot move " + stage + " of secret '" + path + "' in store '" + name
                            + "': it is at '" + now + "', expected '" + expectedVersionId + "'");
                }
                if (writeState(c, path, s, v.withStage(stage, versionId))) {
                    return null;
                }
            }
            throw gaveUp("move " + stage + " of", path);
        });
    }

    @Override
    public List<String> list(String pathPrefix) {
        Objects.requireNonNull(pathPrefix, "prefix");
        if (!LIST_PREFIX.matcher(pathPrefix).matches() || pathPrefix.startsWith("/") || pathPrefix.contains("//")) {
            return List.of(); // no valid path starts like that
        }
        int slash = pathPrefix.lastIndexOf('/');
        String folder = pathPrefix.substring(0, slash + 1);
        for (String segment : folder.split("/")) {
            if (segment.equals(".") || segment.equals("..")) {
                return List.of();
            }
        }
        return run(c -> {
            TreeSet<String> out = new TreeSet<>();
            walk(c, prefix, pathPrefix, true, out);
            walk(c, prefix + RESERVED_SEGMENT + "/state/", pathPrefix, false, out);
            return List.copyOf(out);
        });
    }

    private void walk(Conn c, String base, String pathPrefix, boolean live, Set<String> out) {
        int slash = pathPrefix.lastIndexOf('/');
        String folder = pathPrefix.substring(0, slash + 1);
        String start = pathPrefix.substring(slash + 1);
        for (String key : client.list(c, base + folder)) {
            if (!key.startsWith(start) || (live && folder.isEmpty() && key.equals(RESERVED_SEGMENT + "/"))) {
                continue;
            }
            if (key.endsWith("/")) {
                walkAll(c, base, folder + key, out);
            } else {
                addIfValid(folder + key, out);
            }
        }
    }

    private void walkAll(Conn c, String base, String folder, Set<String> out) {
        for (String key : client.list(c, base + folder)) {
            if (key.endsWith("/")) {
                walkAll(c, base, folder + key, out);
            } else {
                addIfValid(folder + key, out);
            }
        }
    }

    private static void addIfValid(String path, Set<String> out) {
        try {
            checkPath(path);
            out.add(path);
        } catch (InvalidSecretRefException e) {
            // a key that no Rotor path can name (written by others): not listed
        }
    }

    /**
     * Deletes the record first, then the live path, then the copies, each permanently (metadata
     * delete). A crash after the first step leaves a live secret that Rotor still lists and reads,
     * so deleting again finishes the job.
     */
    @Override
    public void delete(String path) {
        checkPath(path);
        run(c -> {
            Snapshot s = load(c, path);
            if (!s.exists()) {
                throw SecretNotFoundException.of(name, path);
            }
            client.deleteMetadata(c, state(path));
            hook.reached(Step.STATE_DELETED, path);
            client.deleteMetadata(c, prefix + path);
            client.deleteMetadata(c, copies(path));
            LOG.debug("store '{}': deleted '{}'", name, path);
            return null;
        });
    }

    @Override
    public Health health() {
        long start = System.nanoTime();
        try {
            String problem = client.healthProblem();
            if (problem != null) {
                return Health.down(problem, Duration.ofNanos(System.nanoTime() - start));
            }
            tokens.ensureFresh();
            client.lookupSelf(Objects.requireNonNull(client.currentToken(), "no token"));
            return Health.up(Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException e) {
            return Health.down(String.valueOf(e.getMessage()), Duration.ofNanos(System.nanoTime() - start));
        }
    }

    private <T> T run(VaultClient.TokenCall<T> body) {
        if (closed) {
            throw new IllegalStateException("store '" + name + "' is closed");
        }
        tokens.ensureFresh();
        return client.call(body);
    }

    private ConflictException gaveUp(String action, String path) {
        return new ConflictException("store '" + name + "': gave up trying to " + action + " secret '" + path + "' after "
                + MAX_ATTEMPTS + " attempts: other writers kept changing it");
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        tokens.close();
        client.close();
    }

    @Override
    public String toString() {
        return "VaultSecretStore[" + name + ", " + client.address() + ", " + mount + (prefix.isEmpty() ? "" : "/" + prefix) + "]";
    }
}
