package dev.rotor.azure;

import com.azure.core.http.rest.PagedIterable;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.security.keyvault.secrets.SecretClient;
import com.azure.security.keyvault.secrets.models.DeletedSecret;
import com.azure.security.keyvault.secrets.models.KeyVaultSecret;
import com.azure.security.keyvault.secrets.models.SecretProperties;
import dev.rotor.Capabilities;
import dev.rotor.ConflictException;
import dev.rotor.Health;
import dev.rotor.ProviderUnavailableException;
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
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link SecretStore} on Azure Key Vault secrets, through the Azure SDK's {@link SecretClient}.
 *
 * <p>How Rotor's model maps onto Key Vault (in full in {@code docs/providers.md}):
 * <ul>
 *   <li>A path is the secret {@link AzureNames#secretName(String) secretName(path)}. Its latest
 *       Azure version is CURRENT, so a plain {@code getSecret(name)} always reads CURRENT.
 *   <li>PENDING versions live in a second secret, {@code <name>-9pending}, which plain readers of
 *       {@code <name>} never see. Promoting writes the PENDING value as a new latest version of
 *       {@code <name>}.
 *   <li>A Rotor version id is the Azure version id of the version a {@code put} wrote; copies made
 *       by promote carry that id, and the stage pointers, in the tag {@value VersionMeta#TAG}.
 *   <li>Values that are UTF-8 text are stored as that text; other bytes as base64, marked by the
 *       content type.
 * </ul>
 *
 * <p>Key Vault has no compare-and-set. Moves of one secret take turns through a lock shared by
 * every store in this JVM, which makes {@link #promote} and {@link #moveStage} exact
 * compare-and-sets among the movers of one process. Against movers in other processes each
 * conditional move records the version it replaced, checks afterwards for a rival move from the
 * same version and, when it was the later one, undoes itself and throws {@link ConflictException}.
 *
 * <p>Thread-safe. Reads take no lock; writes of one secret hold its lock across their remote calls
 * (the one place Rotor does I/O under a lock, because no remote compare-and-set exists). Values
 * pass through the SDK as {@link String}s, which cannot be wiped from memory.
 */
public final class AzureSecretStore implements SecretStore {

    /** The largest value: Key Vault holds 25 KB per secret value. */
    public static final int MAX_VALUE_BYTES = 25_000;

    /** The largest value that is not UTF-8 text (stored base64, which takes 4 characters per 3 bytes). */
    public static final int MAX_BINARY_VALUE_BYTES = MAX_VALUE_BYTES / 4 * 3;

    /** Values up to 25,000 bytes (binary ones up to 18,750), stages kept by Rotor, tags per version. */
    public static final Capabilities CAPABILITIES = new Capabilities(MAX_VALUE_BYTES, true, false, true);

    /** Azure allows 15 tags per version; Rotor keeps one. */
    public static final int MAX_TAGS = 14;

    public static final String TAG_EXPIRES_ON = AzVersion.TAG_EXPIRES_ON;
    public static final String TAG_NOT_BEFORE = AzVersion.TAG_NOT_BEFORE;
    public static final String TAG_ENABLED = AzVersion.TAG_ENABLED;

    private static final Logger LOG = LoggerFactory.getLogger(AzureSecretStore.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern AZURE_VERSION_ID = Pattern.compile("[0-9a-fA-F]{32}");
    private static final String MOVER_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

    private final String name;
    private final SecretClient client;
    private final String vault;
    private final AzureStoreSettings settings;
    private final Clock clock;
    private final MoveLocks locks;
    private final AtomicReference<Instant> lastStamp = new AtomicReference<>(Instant.EPOCH);
    private volatile boolean closed;

    AzureSecretStore(String name, SecretClient client, AzureStoreSettings settings, Clock clock, MoveLocks locks) {
        SecretRef.checkStoreName(name);
        this.name = name;
        this.client = Objects.requireNonNull(client, "client");
        this.vault = client.getVaultUrl().toLowerCase(Locale.ROOT);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.locks = Objects.requireNonNull(locks, "locks");
    }

    /**
     * A store on a {@link SecretClient} the caller built (its credential, HTTP client and retry
     * policy are the caller's). Of {@code settings} only the behaviour settings are used
     * ({@code recoverDeleted}, {@code purgeOnDelete}, {@code deleteTimeout}, {@code pollInterval}).
     */
    public static AzureSecretStore create(String name, SecretClient client, AzureStoreSettings settings, Clock clock) {
        return new AzureSecretStore(name, client, settings, clock, MoveLocks.SHARED);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    /** The vault's URL. */
    public String vaultUrl() {
        return client.getVaultUrl();
    }

    // ---- reads -----------------------------------------------------------------------------

    @Override
    public Secret get(String path, Selector selector) {
        Objects.requireNonNull(selector, "selector");
        Names n = names(path);
        if (selector instanceof Selector.ByStage s && s.stage() == Stage.CURRENT) {
            // The hot path: one request, the same a plain reader makes.
            AzVersion current = call("reading secret '" + path + "'", () -> latest(n.main));
            if (current == null) {
                throw SecretNotFoundException.of(name, path);
            }
            Set<Stage> stages = EnumSet.of(Stage.CURRENT);
            if (current.rotorId().equals(current.meta.previous())) {
                stages.add(Stage.PREVIOUS);
            }
            return secret(path, current, current.rotorId(), stages);
        }
        return call("reading secret '" + path + "' at " + selector, () -> {
            State st = readState(n, false);
            if (!st.exists()) {
                throw SecretNotFoundException.of(name, path);
            }
            String id = switch (selector) {
                case Selector.ByStage s -> st.at(s.stage());
                case Selector.ByVersion v -> v.versionId();
            };
            AzVersion v = id == null ? null : find(n, id, st);
            if (v == null) {
                throw SecretNotFoundException.of(name, path, selector);
            }
            return secret(path, v, id, st.stagesOf(id));
        });
    }

    private Secret secret(String path, AzVersion v, String rotorId, Set<Stage> stages) {
        return new Secret(path, new VersionInfo(rotorId, v.created(), stages, v.rotorTags()), v.value());
    }

    @Override
    public List<VersionInfo> versions(String path) {
        Names n = names(path);
        return call("listing versions of secret '" + path + "'", () -> {
            State read = readState(n, false);
            State st = read.mayNeedSettling() ? locked(n, "settling secret '" + path + "'", () -> readState(n, true)) : read;
            if (!st.exists()) {
                throw SecretNotFoundException.of(name, path);
            }
            List<AzVersion> all = new ArrayList<>(listVersions(n.main));
            all.addAll(listVersions(n.pending));
            if (all.isEmpty()) {
                // deleted between the two reads
                throw SecretNotFoundException.of(name, path);
            }
            Map<String, AzVersion> byId = new LinkedHashMap<>();
            for (AzVersion v : all) {
                if (v.meta.marker()) {
                    continue;
                }
                // the version a put wrote gives the tags; a copy stands in if the original is gone
                byId.merge(v.rotorId(), v, (a, b) -> a.isOriginal() ? a : b);
            }
            return byId.values().stream()
                    .sorted(Comparator.comparing(AzVersion::created).thenComparing(AzVersion::rotorId))
                    .map(v -> new VersionInfo(v.rotorId(), v.created(), st.stagesOf(v.rotorId()), v.rotorTags()))
                    .toList();
        });
    }

    @Override
    public List<String> list(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        ensureOpen();
        return call("listing secrets", () -> {
            TreeSet<String> out = new TreeSet<>();
            for (SecretProperties p : client.listPropertiesOfSecrets()) {
                if (Boolean.TRUE.equals(p.isManaged()) || p.getName() == null) {
                    continue;
                }
                AzureNames.pathOf(p.getName())
                        .or(() -> AzureNames.pathOfPending(p.getName()))
                        .filter(path -> path.startsWith(prefix))
                        .ifPresent(out::add);
            }
            return List.copyOf(out);
        });
    }

    // ---- writes ----------------------------------------------------------------------------

    @Override
    public VersionInfo put(String path, SecretValue value, PutOptions options) {
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(options, "options");
        Names n = names(path);
        int length = value.length();
        if (length > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("value of secret '" + path + "' is " + length + " bytes; store '" + name
                    + "' (Azure Key Vault) holds at most " + MAX_VALUE_BYTES);
        }
        ValueCodec.Encoded encoded = ValueCodec.encode(value);
        if (encoded.text().length() > MAX_VALUE_BYTES) {
            throw new IllegalArgumentException("value of secret '" + path + "' is " + length + " bytes that are not UTF-8 text;"
                    + " store '" + name + "' (Azure Key Vault) keeps such values base64-encoded and holds at most "
                    + MAX_BINARY_VALUE_BYTES + " of them (" + MAX_VALUE_BYTES + " for text)");
        }
        Attributes attributes = Attributes.of(path, options.tags());
        String keyHash = options.idempotencyKey() == null ? null : VersionMeta.hashKey(options.idempotencyKey());
        return locked(n, "writing secret '" + path + "'", () -> {
            if (keyHash != null) {
                AzVersion earlier = findByKey(n, keyHash);
                if (earlier != null) {
                    State st = readState(n, false);
                    LOG.debug("put of {} in store {} repeats idempotency key of version {}", path, name, earlier.rotorId());
                    return new VersionInfo(earlier.rotorId(), earlier.created(), st.stagesOf(earlier.rotorId()), earlier.rotorTags());
                }
            }
            boolean current = options.stage() == Stage.CURRENT;
            String target = current ? n.main : n.pending;
            AzVersion latest = latest(target);
            VersionMeta meta = new VersionMeta(null, stamp(), current && latest != null ? latest.rotorId() : null,
                    latest == null ? null : latest.azureVersion, mover(), false, false, null, null, false, keyHash);
            AzVersion written = write(n, target, encoded.text(), encoded.contentType(), attributes, meta);
            LOG.debug("put version {} of {} in store {} as {}", written.rotorId(), path, name, options.stage());
            return new VersionInfo(written.rotorId(), written.created(), EnumSet.of(options.stage()), written.rotorTags());
        });
    }

    @Override
    public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
        Objects.requireNonNull(versionId, "versionId");
        Names n = names(path);
        return locked(n, "promoting version '" + versionId + "' of secret '" + path + "'", () -> {
            State st = readState(n, true);
            if (!st.exists()) {
                throw SecretNotFoundException.of(name, path);
            }
            String current = st.current();
            if (expectedCurrentVersionId != null && !expectedCurrentVersionId.equals(current)) {
                throw new ConflictException("cannot promote version '" + versionId + "' of secret '" + path + "' in store '"
                        + name + "': CURRENT is at '" + current + "', expected '" + expectedCurrentVersionId + "'");
            }
            AzVersion target = find(n, versionId, st);
            if (target == null) {
                throw SecretNotFoundException.of(name, path, Selector.version(versionId));
            }
            boolean clearsPending = versionId.equals(st.pending());
            if (!versionId.equals(current)) {
                boolean conditional = expectedCurrentVersionId != null;
                VersionMeta meta = new VersionMeta(versionId, target.created(), current,
                        st.main == null ? null : st.main.azureVersion, mover(), conditional, false,
                        clearsPending ? st.pendingSecret.azureVersion : null, null, false, null);
                AzVersion written = write(n, n.main, target.rawValue(), target.contentType(), Attributes.copyOf(target), meta);
                if (conditional && !wonRace(n, n.main, written)) {
                    throw new ConflictException("cannot promote version '" + versionId + "' of secret '" + path + "' in store '"
                            + name + "': another process moved CURRENT from '" + current + "' at the same time and was first;"
                            + " this move was undone");
                }
                LOG.debug("promoted version {} of {} in store {} (previous {})", versionId, path, name, current);
            }
            if (clearsPending) {
                movePending(n, st.pendingSecret, "", true);
            }
            return new VersionInfo(versionId, target.created(), EnumSet.of(Stage.CURRENT), target.rotorTags());
        });
    }

    @Override
    public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
        Objects.requireNonNull(stage, "stage");
        if (stage == Stage.CURRENT) {
            throw new IllegalArgumentException("CURRENT moves only through promote()");
        }
        Names n = names(path);
        locked(n, "moving " + stage + " of secret '" + path + "'", () -> {
            State st = readState(n, true);
            if (!st.exists()) {
                throw SecretNotFoundException.of(name, path);
            }
            if (versionId != null && find(n, versionId, st) == null) {
                throw SecretNotFoundException.of(name, path, Selector.version(versionId));
            }
            String now = st.at(stage);
            if (expectedVersionId != null && !expectedVersionId.equals(now)) {
                throw new ConflictException("cannot move " + stage + " of secret '" + path + "' in store '" + name
                        + "': it is at '" + now + "', expected '" + expectedVersionId + "'");
            }
            if (Objects.equals(now, versionId)) {
                return null;
            }
            if (stage == Stage.PENDING) {
                if (!movePending(n, st.pendingSecret, versionId == null ? "" : versionId, expectedVersionId != null)) {
                    throw new ConflictException("cannot move PENDING of secret '" + path + "' in store '" + name
                            + "': another process moved it from '" + now + "' at the same time and was first; this move was undone");
                }
            } else {
                movePrevious(path, n, st, versionId);
            }
            LOG.debug("moved {} of {} in store {} from {} to {}", stage, path, name, now, versionId);
            return null;
        });
    }

    /** Appends a marker to the PENDING secret; false if it lost a race and was undone. */
    private boolean movePending(Names n, @Nullable AzVersion latestPending, String pointer, boolean conditional) {
        VersionMeta meta = new VersionMeta(null, null, null, latestPending == null ? null : latestPending.azureVersion,
                mover(), conditional, false, null, pointer, true, null);
        AzVersion written = write(n, n.pending, "", ValueCodec.MARKER, Attributes.NONE, meta);
        return !conditional || wonRace(n, n.pending, written);
    }

    /** PREVIOUS is recorded on the latest version of the main secret; its tags change in place. */
    private void movePrevious(String path, Names n, State st, @Nullable String versionId) {
        if (st.main == null) {
            throw new ConflictException("cannot move PREVIOUS of secret '" + path + "' in store '" + name
                    + "': it has no CURRENT version, and PREVIOUS is recorded on CURRENT");
        }
        Map<String, String> tags = new LinkedHashMap<>(st.main.azureUserTags());
        tags.put(VersionMeta.TAG, st.main.meta.withPrevious(versionId).format());
        client.updateSecretProperties(st.main.properties.setTags(tags));
        AzVersion after = latest(n.main);
        if (after == null || !after.azureVersion.equals(st.main.azureVersion)) {
            throw new ConflictException("cannot move PREVIOUS of secret '" + path + "' in store '" + name
                    + "': CURRENT moved while PREVIOUS was being moved; re-read and try again");
        }
    }

    @Override
    public void delete(String path) {
        Names n = names(path);
        locked(n, "deleting secret '" + path + "'", () -> {
            // The PENDING secret first: an interrupted delete leaves CURRENT readable, not a stray PENDING.
            List<String> deleted = new ArrayList<>(2);
            for (String azureName : List.of(n.pending, n.main)) {
                if (softDelete(azureName)) {
                    deleted.add(azureName);
                }
            }
            if (deleted.isEmpty()) {
                throw SecretNotFoundException.of(name, path);
            }
            if (settings.effectivePurgeOnDelete()) {
                for (String azureName : deleted) {
                    if (!purge(path, azureName)) {
                        break;
                    }
                }
            }
            LOG.debug("deleted secret {} in store {}", path, name);
            return null;
        });
    }

    private boolean softDelete(String azureName) {
        SyncPoller<DeletedSecret, Void> poller;
        try {
            poller = client.beginDeleteSecret(azureName);
        } catch (RuntimeException e) {
            if (AzureErrors.status(e) == 404) {
                return false;
            }
            throw e;
        }
        poller.setPollInterval(settings.effectivePollInterval());
        PollResponse<DeletedSecret> done = poller.waitForCompletion(settings.effectiveDeleteTimeout());
        if (done.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
            throw new ProviderUnavailableException("store '" + name + "': deleting Azure secret '" + azureName
                    + "' did not finish within " + settings.effectiveDeleteTimeout() + " (status " + done.getStatus() + ")", true, null);
        }
        return true;
    }

    /** Purges a soft-deleted secret and waits until its name is free; false if purging is not allowed. */
    private boolean purge(String path, String azureName) {
        try {
            client.purgeDeletedSecret(azureName);
        } catch (RuntimeException e) {
            int status = AzureErrors.status(e);
            if (status == 403) {
                LOG.warn("store {}: secret {} ({}) is deleted but not purged: purging is not allowed (purge protection or"
                        + " no purge permission); its name stays taken until the retention period ends", name, path, azureName);
                return false;
            }
            if (status == 404) {
                return true;
            }
            throw e;
        }
        waitUntil("purging Azure secret '" + azureName + "'", () -> deletedSecret(azureName) == null);
        return true;
    }

    private void waitUntil(String what, Supplier<Boolean> done) {
        long deadline = System.nanoTime() + settings.effectiveDeleteTimeout().toNanos();
        while (!done.get()) {
            if (System.nanoTime() - deadline > 0) {
                throw new ProviderUnavailableException("store '" + name + "': " + what + " did not finish within "
                        + settings.effectiveDeleteTimeout(), true, null);
            }
            try {
                // waiting for Azure to finish a long-running operation
                Thread.sleep(settings.effectivePollInterval().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProviderUnavailableException("store '" + name + "': interrupted while " + what, false, e);
            }
        }
    }

    private @Nullable DeletedSecret deletedSecret(String azureName) {
        try {
            return client.getDeletedSecret(azureName);
        } catch (RuntimeException e) {
            if (AzureErrors.status(e) == 404) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public Health health() {
        long start = System.nanoTime();
        try {
            ensureOpen();
            client.getSecret(AzureNames.HEALTH_PROBE_NAME);
            return Health.up(Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException e) {
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            if (AzureErrors.status(e) == 404) {
                // the probe name never exists: reaching the vault and being allowed to ask is what counts
                return Health.up(took);
            }
            RotorException mapped = AzureErrors.map(name, "checking health", e);
            return Health.down(mapped.getMessage(), took);
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "AzureSecretStore[" + name + ", " + client.getVaultUrl() + "]";
    }

    // ---- the state of one secret -------------------------------------------------------------

    /** The two Azure secrets behind a path. */
    private record Names(String path, String main, String pending) {}

    private Names names(String path) {
        String main = AzureNames.secretName(path);
        ensureOpen();
        return new Names(path, main, main + AzureNames.PENDING_SUFFIX);
    }

    /** The latest versions of the main and the PENDING secret, which hold every stage pointer. */
    private record State(@Nullable AzVersion main, @Nullable AzVersion pendingSecret) {

        boolean exists() {
            return main != null || pendingSecret != null;
        }

        /** A conditional move is the latest of a secret: it may have lost a race that nobody repaired. */
        boolean mayNeedSettling() {
            return (main != null && main.meta.conditional()) || (pendingSecret != null && pendingSecret.meta.conditional());
        }

        @Nullable String current() {
            return main == null ? null : main.rotorId();
        }

        @Nullable String previous() {
            return main == null ? null : main.meta.previous();
        }

        @Nullable String pending() {
            if (pendingSecret == null) {
                return null;
            }
            String pointer = pendingSecret.meta.pending();
            String id = pointer == null ? (pendingSecret.meta.marker() ? null : pendingSecret.azureVersion)
                    : (pointer.isEmpty() ? null : pointer);
            // A promotion that wrote CURRENT but not yet its PENDING marker (or crashed between the two)
            // has already taken the version out of PENDING.
            if (id != null && main != null && pendingSecret.azureVersion.equals(main.meta.clearsPending())
                    && id.equals(main.rotorId())) {
                return null;
            }
            return id;
        }

        @Nullable String at(Stage stage) {
            return switch (stage) {
                case CURRENT -> current();
                case PENDING -> pending();
                case PREVIOUS -> previous();
            };
        }

        Set<Stage> stagesOf(String id) {
            Set<Stage> out = EnumSet.noneOf(Stage.class);
            for (Stage s : Stage.values()) {
                if (id.equals(at(s))) {
                    out.add(s);
                }
            }
            return out;
        }
    }

    /**
     * Reads the state; with {@code settle} (only under the secret's lock), first undoes a move left
     * behind by a lost race.
     */
    private State readState(Names n, boolean settle) {
        AzVersion main = latest(n.main);
        AzVersion pending = latest(n.pending);
        if (settle) {
            if (main != null && settle(n, n.main, main)) {
                main = latest(n.main);
            }
            if (pending != null && settle(n, n.pending, pending)) {
                pending = latest(n.pending);
            }
        }
        return new State(main, pending);
    }

    /**
     * Finds the Azure version that holds Rotor version {@code id} (the version a put wrote, in
     * either secret), with its value; {@code null} if there is none.
     */
    private @Nullable AzVersion find(Names n, String id, State st) {
        if (!AZURE_VERSION_ID.matcher(id).matches()) {
            // Rotor ids are Azure version ids; anything else cannot exist
            return null;
        }
        if (st.main != null && st.main.rotorId().equals(id)) {
            return st.main;
        }
        if (st.pendingSecret != null && !st.pendingSecret.meta.marker() && st.pendingSecret.rotorId().equals(id)) {
            return st.pendingSecret;
        }
        for (String azureName : List.of(n.main, n.pending)) {
            AzVersion v = version(azureName, id);
            if (v != null && !v.meta.marker() && v.rotorId().equals(id)) {
                return v;
            }
        }
        return null;
    }

    private @Nullable AzVersion findByKey(Names n, String keyHash) {
        for (String azureName : List.of(n.main, n.pending)) {
            for (AzVersion v : listVersions(azureName)) {
                if (v.isOriginal() && keyHash.equals(v.meta.keyHash())) {
                    AzVersion full = version(azureName, v.azureVersion);
                    return full != null ? full : v;
                }
            }
        }
        return null;
    }

    // ---- races between processes -------------------------------------------------------------

    /** How often a repair that itself lost a race is repaired again before giving up. */
    private static final int MAX_REPAIR_DEPTH = 3;

    /**
     * After a conditional write: true if it won. Two moves that replaced the same version are
     * rivals; the one written first wins. If {@code mine} is still the latest version, every rival
     * was written before it, so it lost: it is undone by a repair that restores the first rival's
     * state, and this returns false. If a later version exists, a rival came after {@code mine}
     * (and will undo itself), or a later move built on it: {@code mine} won.
     */
    private boolean wonRace(Names n, String azureName, AzVersion mine) {
        return wonRace(n, azureName, mine, 0);
    }

    private boolean wonRace(Names n, String azureName, AzVersion mine, int depth) {
        List<AzVersion> rivals = rivals(azureName, mine);
        if (rivals.isEmpty()) {
            return true;
        }
        AzVersion latest = latest(azureName);
        if (latest == null || !latest.azureVersion.equals(mine.azureVersion)) {
            return true;
        }
        repair(n, azureName, rivals, mine, depth);
        return false;
    }

    /**
     * Repair on read: undoes a conditional latest version (a move or a repair) that lost its race
     * and was left so by a crash.
     */
    private boolean settle(Names n, String azureName, AzVersion latest) {
        if (!latest.meta.conditional()) {
            return false;
        }
        List<AzVersion> rivals = rivals(azureName, latest);
        if (rivals.isEmpty()) {
            return false;
        }
        LOG.warn("store {}: secret {} ended a race with a move that lost ({}); restoring the winner's state", name, n.path,
                latest.rotorId());
        repair(n, azureName, rivals, latest, 0);
        return true;
    }

    private List<AzVersion> rivals(String azureName, AzVersion mine) {
        List<AzVersion> out = new ArrayList<>();
        for (AzVersion v : listVersions(azureName)) {
            if (!v.isForeign() && !v.azureVersion.equals(mine.azureVersion)
                    && Objects.equals(v.meta.parent(), mine.meta.parent())
                    && !Objects.equals(v.meta.mover(), mine.meta.mover())) {
                out.add(v);
            }
        }
        return out;
    }

    /**
     * Writes, on top of {@code loser}, a copy of the state the first of {@code rivals} set. The
     * repair is itself a conditional move from {@code loser}: a move that another process based on
     * the loser meanwhile is its rival, and whichever was written first stands.
     */
    private void repair(Names n, String azureName, List<AzVersion> rivals, AzVersion loser, int depth) {
        if (depth >= MAX_REPAIR_DEPTH) {
            throw new ConflictException("secret '" + n.path + "' in store '" + name + "': moves from several processes kept"
                    + " racing; its state was left as the last repair made it, check its versions");
        }
        AzVersion winner = rivals.stream()
                .min(Comparator.comparing((AzVersion v) -> v.azureCreated).thenComparing(v -> v.azureVersion))
                .orElseThrow();
        AzVersion written;
        if (azureName.equals(n.pending)) {
            String pointer = winner.meta.pending() != null ? winner.meta.pending()
                    : (winner.meta.marker() ? "" : winner.azureVersion);
            VersionMeta meta = new VersionMeta(null, null, null, loser.azureVersion, mover(), true, true, null, pointer, true, null);
            written = write(n, n.pending, "", ValueCodec.MARKER, Attributes.NONE, meta);
        } else {
            AzVersion full = winner.hasValue() ? winner : version(azureName, winner.azureVersion);
            if (full == null) {
                throw new ConflictException("secret '" + n.path + "' in store '" + name + "': a race between moves of CURRENT"
                        + " could not be repaired, the winning version vanished; check its versions");
            }
            VersionMeta meta = new VersionMeta(full.rotorId(), full.created(), full.meta.previous(), loser.azureVersion,
                    mover(), true, true, full.meta.clearsPending(), null, false, null);
            written = write(n, n.main, full.rawValue(), full.contentType(), Attributes.copyOf(full), meta);
        }
        LOG.warn("store {}: secret {}: move {} lost a race with {} and was undone", name, n.path, loser.rotorId(), winner.rotorId());
        wonRace(n, azureName, written, depth + 1);
    }

    // ---- Azure calls -------------------------------------------------------------------------

    private @Nullable AzVersion latest(String azureName) {
        return version(azureName, null);
    }

    private @Nullable AzVersion version(String azureName, @Nullable String azureVersion) {
        try {
            return AzVersion.of(azureVersion == null ? client.getSecret(azureName) : client.getSecret(azureName, azureVersion));
        } catch (RuntimeException e) {
            if (AzureErrors.status(e) == 404) {
                return null;
            }
            throw e;
        }
    }

    private List<AzVersion> listVersions(String azureName) {
        List<AzVersion> out = new ArrayList<>();
        try {
            PagedIterable<SecretProperties> pages = client.listPropertiesOfSecretVersions(azureName);
            for (SecretProperties p : pages) {
                out.add(AzVersion.of(p));
            }
        } catch (RuntimeException e) {
            if (AzureErrors.status(e) == 404) {
                return List.of();
            }
            throw e;
        }
        return out;
    }

    /** Sets a new version; a name held by a soft-deleted secret is recovered or refused as configured. */
    private AzVersion write(Names n, String azureName, String text, @Nullable String contentType, Attributes attributes,
            VersionMeta meta) {
        Map<String, String> tags = new LinkedHashMap<>(attributes.tags());
        tags.put(VersionMeta.TAG, meta.format());
        KeyVaultSecret secret = new KeyVaultSecret(azureName, text);
        secret.getProperties()
                .setContentType(contentType)
                .setTags(tags)
                .setExpiresOn(attributes.expiresOn())
                .setNotBefore(attributes.notBefore());
        try {
            return AzVersion.of(client.setSecret(secret));
        } catch (RuntimeException e) {
            if (AzureErrors.status(e) != 409) {
                throw e;
            }
            if (deletedSecret(azureName) == null) {
                throw new ProviderUnavailableException("store '" + name + "': cannot write secret '" + n.path + "' yet: Azure is"
                        + " still deleting or purging '" + azureName + "'", true, e);
            }
            if (!settings.effectiveRecoverDeleted()) {
                throw new DeletedSecretException(name, n.path, azureName, e);
            }
            recover(n);
            // The old versions are back: the caller re-reads the state and writes again.
            throw new Recovered();
        }
    }

    /** Thrown by {@link #write} after recovering a deleted secret; {@link #locked} runs the operation again. */
    private static final class Recovered extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Recovered() {
            super("recovered a deleted secret", null, false, false);
        }
    }

    /** Recovers both Azure secrets of a path that are soft-deleted, with their old versions. */
    private void recover(Names n) {
        for (String azureName : List.of(n.main, n.pending)) {
            if (deletedSecret(azureName) != null) {
                LOG.info("store {}: recovering soft-deleted Azure secret {} of {} (recoverDeleted is on)", name, azureName, n.path);
                SyncPoller<KeyVaultSecret, Void> poller = client.beginRecoverDeletedSecret(azureName);
                poller.setPollInterval(settings.effectivePollInterval());
                PollResponse<KeyVaultSecret> done = poller.waitForCompletion(settings.effectiveDeleteTimeout());
                if (done.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
                    throw new ProviderUnavailableException("store '" + name + "': recovering Azure secret '" + azureName
                            + "' did not finish within " + settings.effectiveDeleteTimeout(), true, null);
                }
            }
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private <T> T call(String doing, Supplier<T> work) {
        try {
            return work.get();
        } catch (Recovered e) {
            throw e;
        } catch (RuntimeException e) {
            throw AzureErrors.map(name, doing, e);
        }
    }

    private <T> T locked(Names n, String doing, Supplier<T> work) {
        ReentrantLock lock = locks.of(vault, n.main);
        lock.lock();
        try {
            try {
                return call(doing, work);
            } catch (Recovered again) {
                return call(doing, work);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Creation times that never repeat or go backwards within this store. */
    private Instant stamp() {
        Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
        return lastStamp.updateAndGet(last -> now.isAfter(last) ? now : last.plus(1, ChronoUnit.MICROS));
    }

    private static String mover() {
        StringBuilder sb = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            sb.append(MOVER_ALPHABET.charAt(RANDOM.nextInt(MOVER_ALPHABET.length())));
        }
        return sb.toString();
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("store '" + name + "' is closed");
        }
    }

    /** The user's tags and the Azure attributes a put sets. */
    record Attributes(Map<String, String> tags, @Nullable OffsetDateTime expiresOn, @Nullable OffsetDateTime notBefore) {

        static final Attributes NONE = new Attributes(Map.of(), null, null);

        /**
         * Splits a put's tags into Azure tags and attributes ({@value AzVersion#TAG_EXPIRES_ON},
         * {@value AzVersion#TAG_NOT_BEFORE}).
         *
         * @throws IllegalArgumentException naming the path and the tag, for a reserved key, a bad
         *     time, too many tags or one too long
         */
        static Attributes of(String path, Map<String, String> given) {
            Map<String, String> tags = new LinkedHashMap<>();
            OffsetDateTime expires = null;
            OffsetDateTime notBefore = null;
            for (Map.Entry<String, String> e : new java.util.TreeMap<>(given).entrySet()) {
                String key = e.getKey();
                String value = e.getValue();
                switch (key) {
                    case AzVersion.TAG_EXPIRES_ON -> expires = time(path, key, value);
                    case AzVersion.TAG_NOT_BEFORE -> notBefore = time(path, key, value);
                    default -> {
                        if (key.equals(VersionMeta.TAG) || key.startsWith("azure.")) {
                            throw new IllegalArgumentException("tag '" + key + "' of secret '" + path + "' is reserved ('"
                                    + VersionMeta.TAG + "' holds Rotor's records; of the 'azure.' tags only "
                                    + AzVersion.TAG_EXPIRES_ON + " and " + AzVersion.TAG_NOT_BEFORE + " can be set)");
                        }
                        if (key.isEmpty() || key.length() > 512) {
                            throw new IllegalArgumentException("tag name '" + key + "' of secret '" + path
                                    + "' must be 1 to 512 characters for Azure Key Vault");
                        }
                        if (value.length() > 256) {
                            throw new IllegalArgumentException("tag '" + key + "' of secret '" + path + "' has a value of "
                                    + value.length() + " characters; Azure Key Vault allows 256");
                        }
                        tags.put(key, value);
                    }
                }
            }
            if (tags.size() > MAX_TAGS) {
                throw new IllegalArgumentException("secret '" + path + "' has " + tags.size() + " tags; Azure Key Vault allows "
                        + MAX_TAGS + " besides Rotor's own");
            }
            return new Attributes(tags, expires, notBefore);
        }

        static Attributes copyOf(AzVersion v) {
            return new Attributes(v.azureUserTags(), v.properties.getExpiresOn(), v.properties.getNotBefore());
        }

        private static OffsetDateTime time(String path, String key, String value) {
            try {
                return Instant.parse(value).truncatedTo(ChronoUnit.SECONDS).atOffset(ZoneOffset.UTC);
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("tag '" + key + "' of secret '" + path
                        + "' must be an ISO-8601 instant such as 2030-01-01T00:00:00Z");
            }
        }
    }
}
