package dev.rotor.aws;

import dev.rotor.AccessDeniedException;
import dev.rotor.Capabilities;
import dev.rotor.ConflictException;
import dev.rotor.Health;
import dev.rotor.InvalidSecretRefException;
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
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.APIErrorType;
import software.amazon.awssdk.services.secretsmanager.model.BatchGetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.CreateSecretRequest;
import software.amazon.awssdk.services.secretsmanager.model.DescribeSecretResponse;
import software.amazon.awssdk.services.secretsmanager.model.Filter;
import software.amazon.awssdk.services.secretsmanager.model.FilterNameStringType;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.GetSecretValueResponse;
import software.amazon.awssdk.services.secretsmanager.model.InvalidRequestException;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretVersionIdsResponse;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsRequest;
import software.amazon.awssdk.services.secretsmanager.model.ListSecretsResponse;
import software.amazon.awssdk.services.secretsmanager.model.PutSecretValueRequest;
import software.amazon.awssdk.services.secretsmanager.model.ResourceExistsException;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.secretsmanager.model.SecretListEntry;
import software.amazon.awssdk.services.secretsmanager.model.SecretValueEntry;
import software.amazon.awssdk.services.secretsmanager.model.SecretVersionsListEntry;
import software.amazon.awssdk.services.secretsmanager.model.Tag;
import software.amazon.awssdk.services.secretsmanager.model.UpdateSecretVersionStageRequest;

/**
 * A {@link SecretStore} on AWS Secrets Manager. Stages are AWS's own staging labels:
 * CURRENT is {@code AWSCURRENT}, PENDING {@code AWSPENDING}, PREVIOUS {@code AWSPREVIOUS}, so
 * a plain {@code GetSecretValue} (which reads {@code AWSCURRENT}) always returns CURRENT.
 *
 * <ul>
 *   <li><b>Names.</b> The AWS secret name is the configured name prefix followed by the path.
 *   <li><b>Versions.</b> Rotor version ids are AWS version ids, which Rotor chooses as client
 *       request tokens: a random UUID, or, for a put with an idempotency key, a UUID derived
 *       from the secret name and the key, so that a repeated put is recognised by AWS.
 *   <li><b>Values.</b> Non-empty UTF-8 text (a JSON object by convention) is stored as
 *       {@code SecretString}, so plain readers get the text; other bytes as
 *       {@code SecretBinary}. AWS refuses empty values, so the empty value is stored as the
 *       one-byte {@code SecretBinary} {@code 00}, which no other value maps to (a NUL byte
 *       alone is valid UTF-8 and goes to {@code SecretString}).
 *   <li><b>Per-version tags and creation times</b> are kept in secret tags
 *       ({@link VersionMeta}), written before the version itself; records of versions that
 *       hold no stage are pruned when more than {@value #MAX_VERSION_TAGS} accumulate.
 *   <li><b>A secret with only a PENDING version.</b> AWS puts {@code AWSCURRENT} on the first
 *       version of a secret whatever the request says. So a first put as PENDING creates the
 *       secret with a placeholder version ({@value #PLACEHOLDER_VERSION}, value {@code {}})
 *       holding {@code AWSCURRENT} and then adds the PENDING version: plain readers get
 *       {@code {}}, never the pending value. Rotor never shows the placeholder: the secret has
 *       no CURRENT until a promote moves {@code AWSCURRENT} off it.
 *   <li><b>Promote</b> is one {@code UpdateSecretVersionStage} that moves {@code AWSCURRENT}
 *       with {@code RemoveFromVersionId} set to the CURRENT version just read: AWS refuses the
 *       move if {@code AWSCURRENT} is elsewhere by then, so concurrent promoters cannot both
 *       win; AWS itself moves {@code AWSPREVIOUS}. A second call then removes
 *       {@code AWSPENDING} from the promoted version. A crash between the two leaves
 *       {@code AWSPENDING} and {@code AWSCURRENT} on the same version, which AWS's rotation
 *       model, and Rotor, read as "no PENDING"; the next PENDING put or promote clears it.
 *   <li><b>Delete</b> is {@code DeleteSecret} with {@code ForceDeleteWithoutRecovery}: no
 *       recovery window.
 * </ul>
 *
 * <p>Thread-safe and lock-free: every operation is a short sequence of SDK calls on a
 * thread-safe client, and races between callers are decided by AWS (client request tokens,
 * {@code RemoveFromVersionId}).
 */
public final class AwsSecretStore implements SecretStore {

    /** AWS's limit for a secret value is 65,536 bytes. */
    public static final Capabilities CAPABILITIES = new Capabilities(65_536, true, true, true);

    static final String AWSCURRENT = "AWSCURRENT";
    static final String AWSPENDING = "AWSPENDING";
    static final String AWSPREVIOUS = "AWSPREVIOUS";
    /** The version that holds AWSCURRENT while a secret has only a PENDING version. */
    static final String PLACEHOLDER_VERSION = "rotor-placeholder-no-current-value";
    static final String PLACEHOLDER_VALUE = "{}";
    /** BatchGetSecretValue takes at most 20 secret ids per call. */
    static final int BATCH_SIZE = 20;
    /** Bulk-read calls in flight at once for one {@link #getAll}: a startup's round trip, well inside AWS's rate limits. */
    static final int BATCH_CONCURRENCY = 4;
    private static final ThreadFactory BATCH_THREADS = Thread.ofVirtual().name("rotor-aws-batch-", 0).factory();
    /** Per-version records kept as tags before old ones are pruned (AWS allows 50 tags per secret). */
    static final int MAX_VERSION_TAGS = 40;
    static final int MAX_NAME_LENGTH = 512;
    private static final byte[] EMPTY_MARKER = {0};
    private static final int CONCURRENT_MOVE_ATTEMPTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(AwsSecretStore.class);

    /** The parts of the settings the store itself needs. */
    record Options(String region, String endpoint, String namePrefix, @Nullable String kmsKeyId, Map<String, String> secretTags) {
        Options {
            Objects.requireNonNull(region, "region");
            Objects.requireNonNull(endpoint, "endpoint");
            Objects.requireNonNull(namePrefix, "namePrefix");
            secretTags = Map.copyOf(secretTags);
        }
    }

    private final String name;
    private final SecretsManagerClient client;
    private final Options options;
    private final Clock clock;
    private final AwsErrors errors;
    private final @Nullable AutoCloseable credentials;

    AwsSecretStore(String name, SecretsManagerClient client, Options options, Clock clock, @Nullable AutoCloseable credentials) {
        SecretRef.checkStoreName(name);
        this.name = name;
        this.client = Objects.requireNonNull(client, "client");
        this.options = Objects.requireNonNull(options, "options");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.errors = new AwsErrors(name, options.endpoint(), clock);
        this.credentials = credentials;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    // ---- reads ----------------------------------------------------------------------------

    @Override
    public Secret get(String path, Selector selector) {
        String secretName = secretName(path);
        Objects.requireNonNull(selector, "selector");
        GetSecretValueRequest.Builder request = GetSecretValueRequest.builder().secretId(secretName);
        switch (selector) {
            // AWSCURRENT explicitly, though it is the default: IAM conditions on
            // secretsmanager:VersionStage match only a stage the request names
            case Selector.ByStage s -> request.versionStage(label(s.stage()));
            case Selector.ByVersion v -> {
                if (!isVersionId(v.versionId())) {
                    throw SecretNotFoundException.of(name, path, selector);
                }
                request.versionId(v.versionId());
            }
        }
        String op = "get of secret '" + path + "' (" + selector + ")";
        GetSecretValueResponse r;
        try {
            r = client.getSecretValue(request.build());
        } catch (ResourceNotFoundException e) {
            throw SecretNotFoundException.of(name, path, selector);
        } catch (InvalidRequestException e) {
            throw markedForDeletion(e) ? SecretNotFoundException.of(name, path, selector) : errors.map(e, op, false);
        } catch (SdkException e) {
            throw errors.map(e, op, false);
        }
        Set<Stage> stages = stages(r.versionId(), r.versionStages());
        if (PLACEHOLDER_VERSION.equals(r.versionId())
                || (selector instanceof Selector.ByStage s && !stages.contains(s.stage()))) {
            // the placeholder is no version; AWSPENDING on the AWSCURRENT version means no PENDING
            throw SecretNotFoundException.of(name, path, selector);
        }
        byte[] bytes = decode(r.secretString(), r.secretBinary());
        Map<String, String> tags = describe(secretName, path, op).tags;
        Optional<VersionMeta> meta = meta(tags, r.versionId());
        VersionInfo info = new VersionInfo(r.versionId(), created(meta, r.createdDate()), stages,
                meta.map(VersionMeta::tags).orElse(Map.of()));
        return new Secret(path, info, SecretValue.wrap(bytes));
    }

    /**
     * CURRENT reads go through {@code BatchGetSecretValue}, 20 secrets per call, with up to
     * {@value #BATCH_CONCURRENCY} calls in flight at once (on virtual threads) when there are
     * more than 20: an application's startup waits for one round trip, not one per 20 refs.
     * Other selectors read one secret at a time. The versions returned carry AWS's creation
     * time and no tags: per-version tags need one more call per secret, which a bulk read
     * exists to avoid ({@link #get} and {@link #versions} return them).
     */
    @Override
    public Map<String, Secret> getAll(Collection<String> paths, Selector selector) {
        if (!Selector.CURRENT.equals(selector)) {
            return SecretStore.super.getAll(paths, selector);
        }
        Map<String, String> pathByName = new LinkedHashMap<>();
        for (String path : paths) {
            pathByName.put(secretName(path), path);
        }
        List<String> names = new ArrayList<>(pathByName.keySet());
        List<List<String>> chunks = new ArrayList<>();
        for (int from = 0; from < names.size(); from += BATCH_SIZE) {
            chunks.add(names.subList(from, Math.min(names.size(), from + BATCH_SIZE)));
        }
        Map<String, Secret> found = new ConcurrentHashMap<>();
        if (chunks.size() <= 1) {
            chunks.forEach(chunk -> readChunk(chunk, pathByName, found));
        } else {
            readChunksConcurrently(chunks, pathByName, found);
        }
        Map<String, Secret> out = new LinkedHashMap<>();
        for (String path : pathByName.values()) {
            Secret s = found.get(path);
            if (s != null) {
                out.put(path, s);
            }
        }
        return out;
    }

    /** Reads every chunk, at most {@value #BATCH_CONCURRENCY} at a time; the first failure (in chunk order) is thrown. */
    private void readChunksConcurrently(List<List<String>> chunks, Map<String, String> pathByName, Map<String, Secret> found) {
        List<Future<?>> calls = new ArrayList<>(chunks.size());
        try (ExecutorService threads = Executors.newFixedThreadPool(Math.min(BATCH_CONCURRENCY, chunks.size()), BATCH_THREADS)) {
            for (List<String> chunk : chunks) {
                calls.add(threads.submit(() -> readChunk(chunk, pathByName, found)));
            }
        } // close() waits for every call
        for (Future<?> call : calls) {
            try {
                call.get();
            } catch (ExecutionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new RotorException("store '" + name + "': bulk read failed", e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ProviderUnavailableException("store '" + name + "': bulk read interrupted", false, e);
            }
        }
    }

    private void readChunk(List<String> chunk, Map<String, String> pathByName, Map<String, Secret> found) {
        String next = null;
        do {
            String token = next;
            BatchGetSecretValueResponse r;
            try {
                r = client.batchGetSecretValue(b -> b.secretIdList(chunk).nextToken(token));
            } catch (SdkException e) {
                throw errors.map(e, "bulk read of " + chunk.size() + " secrets (" + pathByName.get(chunk.get(0)) + ", ...)", false);
            }
            for (SecretValueEntry e : r.secretValues()) {
                String path = pathByName.get(e.name());
                if (path == null || PLACEHOLDER_VERSION.equals(e.versionId())) {
                    continue;
                }
                VersionInfo info = new VersionInfo(e.versionId(), e.createdDate() == null ? Instant.EPOCH : e.createdDate(),
                        stages(e.versionId(), e.versionStages()), Map.of());
                found.put(path, new Secret(path, info, SecretValue.wrap(decode(e.secretString(), e.secretBinary()))));
            }
            for (APIErrorType err : r.errors()) {
                checkBatchError(err, pathByName.getOrDefault(err.secretId(), err.secretId()));
            }
            next = r.nextToken() == null || r.nextToken().isEmpty() ? null : r.nextToken();
        } while (next != null);
    }

    private void checkBatchError(APIErrorType err, String path) {
        String code = String.valueOf(err.errorCode());
        if (code.equals("ResourceNotFoundException")
                || (code.equals("InvalidRequestException") && isDeletionMessage(err.message()))) {
            return; // absent from the result
        }
        String what = "store '" + name + "': AWS refused the bulk read of secret '" + path + "' (" + code + ")";
        if (code.equals("DecryptionFailure") || code.contains("AccessDenied")) {
            throw new AccessDeniedException(what + ": check the IAM policy and the KMS key permissions");
        }
        if (code.contains("Throttl") || code.contains("InternalServiceError")) {
            throw new ProviderUnavailableException(what, true, null);
        }
        throw new RotorException(what);
    }

    @Override
    public List<VersionInfo> versions(String path) {
        String secretName = secretName(path);
        List<VersionInfo> out = load(secretName, path, "listing of the versions of secret '" + path + "'").visible();
        if (out.isEmpty()) {
            throw SecretNotFoundException.of(name, path);
        }
        return out;
    }

    @Override
    public List<String> list(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        String full = options.namePrefix() + prefix;
        if (!full.chars().allMatch(c -> isNameChar((char) c))) {
            return List.of(); // no Rotor path holds such a character
        }
        Set<String> out = new TreeSet<>();
        String next = null;
        do {
            ListSecretsRequest.Builder b = ListSecretsRequest.builder().maxResults(100).nextToken(next);
            if (!full.isEmpty()) {
                b.filters(Filter.builder().key(FilterNameStringType.NAME).values(full).build());
            }
            ListSecretsResponse r;
            try {
                r = client.listSecrets(b.build());
            } catch (SdkException e) {
                throw errors.map(e, "listing of secrets starting with '" + prefix + "'", false);
            }
            for (SecretListEntry e : r.secretList()) {
                String n = e.name();
                if (n == null || !n.startsWith(full) || e.deletedDate() != null || !hasRealVersion(e.secretVersionsToStages())) {
                    continue;
                }
                String path = n.substring(options.namePrefix().length());
                if (isRotorPath(path)) {
                    out.add(path);
                }
            }
            next = r.nextToken() == null || r.nextToken().isEmpty() ? null : r.nextToken();
        } while (next != null);
        return List.copyOf(out);
    }

    private static boolean hasRealVersion(@Nullable Map<String, List<String>> versionsToStages) {
        return versionsToStages != null && versionsToStages.keySet().stream().anyMatch(id -> !PLACEHOLDER_VERSION.equals(id));
    }

    // ---- writes ---------------------------------------------------------------------------

    @Override
    public VersionInfo put(String path, SecretValue value, PutOptions putOptions) {
        String secretName = secretName(path);
        Objects.requireNonNull(putOptions, "options");
        int length = value.length();
        if (length > CAPABILITIES.maxValueBytes()) {
            throw new IllegalArgumentException("value of secret '" + path + "' is " + length + " bytes; store '" + name
                    + "' holds at most " + CAPABILITIES.maxValueBytes() + " (the AWS Secrets Manager limit)");
        }
        String token = putOptions.idempotencyKey() == null ? UUID.randomUUID().toString()
                : tokenFor(secretName, putOptions.idempotencyKey());
        VersionMeta meta = new VersionMeta(clock.instant(), putOptions.tags());
        String encodedMeta = meta.encode();
        if (!VersionMeta.fits(encodedMeta)) {
            throw new IllegalArgumentException("the tags of the new version of secret '" + path + "' take " + encodedMeta.length()
                    + " characters once encoded; store '" + name + "' keeps a version's tags in one AWS tag value of at most "
                    + VersionMeta.MAX_TAG_VALUE_CHARS + " characters (about 190 bytes of tags as JSON)");
        }
        Tag metaTag = Tag.builder().key(VersionMeta.tagKey(token)).value(encodedMeta).build();
        String op = "put of secret '" + path + "'";
        for (int round = 1; round <= CONCURRENT_MOVE_ATTEMPTS; round++) {
            Described d = describeOrNull(secretName, op);
            Optional<VersionInfo> done = d == null
                    ? create(secretName, path, value, putOptions.stage(), token, meta, metaTag, op)
                    : putVersion(d, secretName, path, value, putOptions.stage(), token, meta, metaTag, op);
            if (done.isPresent()) {
                LOG.debug("store '{}': put version {} of secret '{}' as {}", name, done.get().id(), path, putOptions.stage());
                return done.get();
            }
            // created or deleted by someone else meanwhile: look again
        }
        throw new ConflictException("put of secret '" + path + "' in store '" + name
                + "' kept racing with concurrent creates and deletes of the same secret; try again");
    }

    /** Creates the secret with its first version; empty if another caller created it first. */
    private Optional<VersionInfo> create(String secretName, String path, SecretValue value, Stage stage, String token,
            VersionMeta meta, Tag metaTag, String op) {
        List<Tag> tags = new ArrayList<>();
        tags.add(metaTag);
        options.secretTags().forEach((k, v) -> tags.add(Tag.builder().key(k).value(v).build()));
        CreateSecretRequest.Builder b = CreateSecretRequest.builder().name(secretName).tags(tags);
        if (options.kmsKeyId() != null) {
            b.kmsKeyId(options.kmsKeyId());
        }
        byte[] binary = null;
        if (stage == Stage.CURRENT) {
            Encoded e = encode(value);
            binary = e.binary;
            b.clientRequestToken(token);
            if (e.text != null) {
                b.secretString(e.text);
            } else {
                b.secretBinary(SdkBytes.fromByteArrayUnsafe(e.binary));
            }
        } else {
            // AWS makes the first version AWSCURRENT: let that be a placeholder, not the pending value
            b.clientRequestToken(PLACEHOLDER_VERSION).secretString(PLACEHOLDER_VALUE);
        }
        try {
            client.createSecret(b.build());
        } catch (ResourceExistsException e) {
            return Optional.empty();
        } catch (InvalidRequestException e) {
            throw markedForDeletion(e) ? scheduledForDeletion(path, e) : errors.map(e, op, stage == Stage.CURRENT);
        } catch (SdkException e) {
            throw errors.map(e, op, stage == Stage.CURRENT);
        } finally {
            zero(binary);
        }
        if (stage == Stage.PENDING && putValue(secretName, path, token, value, AWSPENDING, op) == PutOutcome.SECRET_GONE) {
            return Optional.empty();
        }
        return Optional.of(new VersionInfo(token, meta.created(), Set.of(stage), meta.tags()));
    }

    /** Adds a version to an existing secret; empty if the secret disappeared meanwhile. */
    private Optional<VersionInfo> putVersion(Described d, String secretName, String path, SecretValue value, Stage stage,
            String token, VersionMeta meta, Tag metaTag, String op) {
        List<String> labels = d.versionsToStages.get(token);
        Optional<VersionMeta> stored = meta(d.tags, token);
        if (labels != null) {
            // an earlier attempt with this idempotency key got through: that version stands
            return Optional.of(new VersionInfo(token, created(stored, null), stages(token, labels),
                    stored.map(VersionMeta::tags).orElse(Map.of())));
        }
        if (stored.isEmpty()) {
            pruneVersionTags(secretName, d, op);
            try {
                client.tagResource(b -> b.secretId(secretName).tags(metaTag));
            } catch (ResourceNotFoundException e) {
                return Optional.empty();
            } catch (SdkException e) {
                throw errors.map(e, op + " (recording the version's tags)", false);
            }
        }
        boolean hasCurrent = d.versionsToStages.values().stream().anyMatch(l -> l.contains(AWSCURRENT));
        if (stage == Stage.PENDING && !hasCurrent
                && putValue(secretName, path, PLACEHOLDER_VERSION, SecretValue.ofUtf8(PLACEHOLDER_VALUE), AWSCURRENT, op)
                        == PutOutcome.SECRET_GONE) {
            return Optional.empty();
        }
        VersionMeta effective = stored.orElse(meta);
        return switch (putValue(secretName, path, token, value, label(stage), op)) {
            case CREATED -> Optional.of(new VersionInfo(token, effective.created(), Set.of(stage), effective.tags()));
            case SECRET_GONE -> Optional.empty();
            case TOKEN_TAKEN -> Optional.of(load(secretName, path, op).info(token)
                    .orElseThrow(() -> new ConflictException("put of secret '" + path + "': version '" + token
                            + "' exists with other data but cannot be read back; try again")));
        };
    }

    private enum PutOutcome { CREATED, SECRET_GONE, TOKEN_TAKEN }

    private PutOutcome putValue(String secretName, String path, String token, SecretValue value, String label, String op) {
        Encoded e = encode(value);
        PutSecretValueRequest.Builder b = PutSecretValueRequest.builder().secretId(secretName).clientRequestToken(token)
                .versionStages(label);
        if (e.text != null) {
            b.secretString(e.text);
        } else {
            b.secretBinary(SdkBytes.fromByteArrayUnsafe(e.binary));
        }
        try {
            client.putSecretValue(b.build());
            return PutOutcome.CREATED;
        } catch (ResourceNotFoundException ex) {
            return PutOutcome.SECRET_GONE;
        } catch (ResourceExistsException ex) {
            // the token names a version that holds other data: an earlier attempt with this key won
            return PutOutcome.TOKEN_TAKEN;
        } catch (InvalidRequestException ex) {
            throw markedForDeletion(ex) ? scheduledForDeletion(path, ex) : errors.map(ex, op, true);
        } catch (SdkException ex) {
            throw errors.map(ex, op, true);
        } finally {
            zero(e.binary);
        }
    }

    /** Keeps the per-version records under the limit by dropping those of versions that hold no stage. */
    private void pruneVersionTags(String secretName, Described d, String op) {
        List<String> keys = d.tags.keySet().stream().filter(k -> k.startsWith(VersionMeta.TAG_PREFIX)).toList();
        int excess = keys.size() - MAX_VERSION_TAGS + 1;
        if (excess <= 0) {
            return;
        }
        List<String> drop = keys.stream()
                .filter(k -> {
                    List<String> labels = d.versionsToStages.get(VersionMeta.versionIdOf(k).orElse(""));
                    return labels == null || labels.isEmpty();
                })
                .sorted(Comparator.comparing(k -> VersionMeta.decode(d.tags.get(k)).map(VersionMeta::created).orElse(Instant.EPOCH)))
                .limit(excess)
                .toList();
        if (drop.isEmpty()) {
            return;
        }
        try {
            client.untagResource(b -> b.secretId(secretName).tagKeys(drop));
            LOG.debug("store '{}': dropped the records of {} old versions of secret '{}'", name, drop.size(), secretName);
        } catch (SdkException e) {
            throw errors.map(e, op + " (pruning old version records)", false);
        }
    }

    @Override
    public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
        String secretName = secretName(path);
        Selector target = Selector.version(versionId);
        String op = "promote of version '" + versionId + "' of secret '" + path + "'";
        for (int attempt = 1; ; attempt++) {
            State s = load(secretName, path, op);
            if (!isVersionId(versionId) || !s.exists(versionId)) {
                throw SecretNotFoundException.of(name, path, target);
            }
            String current = s.holder(AWSCURRENT);
            String visibleCurrent = PLACEHOLDER_VERSION.equals(current) ? null : current;
            if (expectedCurrentVersionId != null && !expectedCurrentVersionId.equals(visibleCurrent)) {
                throw promoteConflict(path, versionId, visibleCurrent, expectedCurrentVersionId);
            }
            if (!versionId.equals(current)) {
                UpdateSecretVersionStageRequest.Builder u = UpdateSecretVersionStageRequest.builder()
                        .secretId(secretName).versionStage(AWSCURRENT).moveToVersionId(versionId);
                if (current != null) {
                    u.removeFromVersionId(current); // the compare-and-set: AWS refuses if AWSCURRENT moved
                }
                try {
                    client.updateSecretVersionStage(u.build());
                } catch (ResourceNotFoundException e) {
                    throw SecretNotFoundException.of(name, path);
                } catch (SdkException e) {
                    State after = load(secretName, path, op);
                    String now = after.holder(AWSCURRENT);
                    if (!versionId.equals(now)) {
                        if (Objects.equals(now, current)) {
                            throw errors.map(e, op, false); // nothing moved: a real failure
                        }
                        String visibleNow = PLACEHOLDER_VERSION.equals(now) ? null : now;
                        if (expectedCurrentVersionId != null || attempt >= CONCURRENT_MOVE_ATTEMPTS) {
                            throw promoteConflict(path, versionId, visibleNow,
                                    expectedCurrentVersionId != null ? expectedCurrentVersionId : visibleCurrent);
                        }
                        continue; // unconditional: a concurrent mover got there first; decide again
                    }
                    // the move took place although its answer was lost (or an equal promote raced us)
                    s = after;
                }
            }
            if (versionId.equals(s.holder(AWSPENDING))) {
                removeLabel(secretName, AWSPENDING, versionId);
            }
            LOG.debug("store '{}': promoted version {} of secret '{}' (CURRENT was {})", name, versionId, path, visibleCurrent);
            Optional<VersionMeta> meta = meta(s.tags, versionId);
            return new VersionInfo(versionId, created(meta, s.awsCreated(versionId)), Set.of(Stage.CURRENT),
                    meta.map(VersionMeta::tags).orElse(Map.of()));
        }
    }

    /** Best effort: a failure leaves a label AWS and Rotor both read as absent (PENDING on CURRENT). */
    private void removeLabel(String secretName, String label, String versionId) {
        try {
            client.updateSecretVersionStage(b -> b.secretId(secretName).versionStage(label).removeFromVersionId(versionId));
        } catch (SdkException e) {
            LOG.debug("store '{}': could not remove {} from version {} of secret '{}' ({}); it reads as absent",
                    name, label, versionId, secretName, AwsErrors.errorCode(e));
        }
    }

    private ConflictException promoteConflict(String path, String versionId, @Nullable String current, String expected) {
        return new ConflictException("cannot promote version '" + versionId + "' of secret '" + path + "' in store '" + name
                + "': CURRENT is at '" + current + "', expected '" + expected + "'");
    }

    @Override
    public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
        Objects.requireNonNull(stage, "stage");
        if (stage == Stage.CURRENT) {
            throw new IllegalArgumentException("CURRENT moves only through promote()");
        }
        String secretName = secretName(path);
        if (versionId != null) {
            SecretRef.checkVersionId(versionId);
        }
        String label = label(stage);
        String op = "move of " + stage + " of secret '" + path + "'";
        for (int attempt = 1; ; attempt++) {
            State s = load(secretName, path, op);
            if (versionId != null && (!isVersionId(versionId) || !s.exists(versionId))) {
                throw SecretNotFoundException.of(name, path, Selector.version(versionId));
            }
            String holder = s.holder(label);
            String visible = s.visibleHolder(stage);
            if (expectedVersionId != null && !expectedVersionId.equals(visible)) {
                throw new ConflictException("cannot move " + stage + " of secret '" + path + "' in store '" + name + "': it is at '"
                        + visible + "', expected '" + expectedVersionId + "'");
            }
            if (stage == Stage.PENDING && versionId != null && versionId.equals(s.holder(AWSCURRENT))) {
                throw new IllegalArgumentException("cannot point PENDING of secret '" + path + "' at its CURRENT version '" + versionId
                        + "': AWS reads AWSPENDING on the AWSCURRENT version as no rotation in progress");
            }
            if (Objects.equals(versionId, holder)) {
                return;
            }
            UpdateSecretVersionStageRequest.Builder u = UpdateSecretVersionStageRequest.builder().secretId(secretName).versionStage(label);
            if (versionId != null) {
                u.moveToVersionId(versionId);
            }
            if (holder != null) {
                u.removeFromVersionId(holder); // the compare-and-set
            }
            try {
                client.updateSecretVersionStage(u.build());
                return;
            } catch (ResourceNotFoundException e) {
                throw SecretNotFoundException.of(name, path);
            } catch (SdkException e) {
                String now = load(secretName, path, op).holder(label);
                if (Objects.equals(now, versionId)) {
                    return; // done, though the answer was lost
                }
                if (Objects.equals(now, holder)) {
                    throw errors.map(e, op, false);
                }
                if (expectedVersionId != null || attempt >= CONCURRENT_MOVE_ATTEMPTS) {
                    throw new ConflictException("cannot move " + stage + " of secret '" + path + "' in store '" + name
                            + "': a concurrent move put it at '" + now + "'");
                }
            }
        }
    }

    @Override
    public void delete(String path) {
        String secretName = secretName(path);
        String op = "delete of secret '" + path + "'";
        describe(secretName, path, op);
        try {
            client.deleteSecret(b -> b.secretId(secretName).forceDeleteWithoutRecovery(true));
        } catch (ResourceNotFoundException e) {
            throw SecretNotFoundException.of(name, path);
        } catch (SdkException e) {
            throw errors.map(e, op, false);
        }
        LOG.debug("store '{}': deleted secret '{}' without a recovery window", name, path);
    }

    @Override
    public Health health() {
        long start = System.nanoTime();
        try {
            client.listSecrets(b -> b.maxResults(1));
            return Health.up(Duration.ofNanos(System.nanoTime() - start));
        } catch (SdkException e) {
            return Health.down(errors.map(e, "health check (ListSecrets)", false).getMessage(), Duration.ofNanos(System.nanoTime() - start));
        } catch (RuntimeException e) {
            return Health.down("health check failed: " + e.getClass().getSimpleName(), Duration.ofNanos(System.nanoTime() - start));
        }
    }

    @Override
    public void close() {
        client.close();
        if (credentials != null) {
            try {
                credentials.close();
            } catch (Exception e) {
                LOG.debug("store '{}': closing the credentials provider failed: {}", name, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "AwsSecretStore[" + name + ", region " + options.region() + ", " + options.endpoint()
                + (options.namePrefix().isEmpty() ? "" : ", names '" + options.namePrefix() + "...'") + "]";
    }

    // ---- describe and the version table ---------------------------------------------------

    /** What DescribeSecret tells: tags and the versions that hold labels (on AWS; moto lists all). */
    private record Described(Map<String, String> tags, Map<String, List<String>> versionsToStages) {}

    private @Nullable Described describeOrNull(String secretName, String op) {
        DescribeSecretResponse d;
        try {
            d = client.describeSecret(b -> b.secretId(secretName));
        } catch (ResourceNotFoundException e) {
            return null;
        } catch (SdkException e) {
            throw errors.map(e, op, false);
        }
        if (d.deletedDate() != null) {
            throw scheduledForDeletion(secretName.substring(options.namePrefix().length()), null);
        }
        return new Described(tagMap(d.tags()), d.hasVersionIdsToStages() ? d.versionIdsToStages() : Map.of());
    }

    private Described describe(String secretName, String path, String op) {
        DescribeSecretResponse d;
        try {
            d = client.describeSecret(b -> b.secretId(secretName));
        } catch (ResourceNotFoundException e) {
            throw SecretNotFoundException.of(name, path);
        } catch (SdkException e) {
            throw errors.map(e, op, false);
        }
        if (d.deletedDate() != null) {
            throw SecretNotFoundException.of(name, path);
        }
        return new Described(tagMap(d.tags()), d.hasVersionIdsToStages() ? d.versionIdsToStages() : Map.of());
    }

    private record Row(String id, List<String> labels, @Nullable Instant awsCreated) {}

    /** Every version of a secret as ListSecretVersionIds gives them, and the secret's tags. */
    private final class State {
        final List<Row> rows;
        final Map<String, String> tags;

        State(List<Row> rows, Map<String, String> tags) {
            this.rows = rows;
            this.tags = tags;
        }

        @Nullable String holder(String label) {
            for (Row r : rows) {
                if (r.labels.contains(label)) {
                    return r.id;
                }
            }
            return null;
        }

        /** Where a stage points as Rotor sees it: never the placeholder, never PENDING on CURRENT. */
        @Nullable String visibleHolder(Stage stage) {
            String h = holder(label(stage));
            if (h == null || PLACEHOLDER_VERSION.equals(h)) {
                return null;
            }
            return stage == Stage.PENDING && h.equals(holder(AWSCURRENT)) ? null : h;
        }

        boolean exists(String id) {
            return !PLACEHOLDER_VERSION.equals(id) && rows.stream().anyMatch(r -> r.id.equals(id));
        }

        @Nullable Instant awsCreated(String id) {
            return rows.stream().filter(r -> r.id.equals(id)).map(Row::awsCreated).filter(Objects::nonNull).findFirst().orElse(null);
        }

        Optional<VersionInfo> info(String id) {
            return rows.stream().filter(r -> r.id.equals(id) && !PLACEHOLDER_VERSION.equals(id)).findFirst().map(this::info);
        }

        VersionInfo info(Row r) {
            Optional<VersionMeta> meta = meta(tags, r.id);
            return new VersionInfo(r.id, created(meta, r.awsCreated), stages(r.id, r.labels), meta.map(VersionMeta::tags).orElse(Map.of()));
        }

        /** The versions Rotor shows, oldest first by AWS's creation time (ties keep AWS's order). */
        List<VersionInfo> visible() {
            List<Row> sorted = new ArrayList<>(rows);
            sorted.removeIf(r -> PLACEHOLDER_VERSION.equals(r.id));
            sorted.sort(Comparator.comparing(Row::awsCreated, Comparator.nullsLast(Comparator.naturalOrder())));
            return sorted.stream().map(this::info).toList();
        }
    }

    private State load(String secretName, String path, String op) {
        Described d = describe(secretName, path, op);
        List<Row> rows = new ArrayList<>();
        String next = null;
        do {
            String token = next;
            ListSecretVersionIdsResponse r;
            try {
                r = client.listSecretVersionIds(b -> b.secretId(secretName).includeDeprecated(true).maxResults(100).nextToken(token));
            } catch (ResourceNotFoundException e) {
                throw SecretNotFoundException.of(name, path);
            } catch (SdkException e) {
                throw errors.map(e, op, false);
            }
            for (SecretVersionsListEntry v : r.versions()) {
                rows.add(new Row(v.versionId(), v.hasVersionStages() ? List.copyOf(v.versionStages()) : List.of(), v.createdDate()));
            }
            next = r.nextToken() == null || r.nextToken().isEmpty() ? null : r.nextToken();
        } while (next != null);
        return new State(rows, d.tags);
    }

    // ---- mapping helpers ------------------------------------------------------------------

    /** The AWS secret name of a path; refuses paths Rotor does not accept and names too long for AWS. */
    String secretName(String path) {
        SecretRef.checkPath(path);
        String full = options.namePrefix() + path;
        if (full.length() > MAX_NAME_LENGTH) {
            throw new InvalidSecretRefException(path, "path is too long for AWS Secrets Manager: secret names hold at most "
                    + MAX_NAME_LENGTH + " characters, the name prefix '" + options.namePrefix() + "' included",
                    Math.max(0, MAX_NAME_LENGTH - options.namePrefix().length()));
        }
        return full;
    }

    private static boolean isRotorPath(String path) {
        try {
            SecretRef.checkPath(path);
            return true;
        } catch (InvalidSecretRefException e) {
            return false;
        }
    }

    private static boolean isNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "/_+=.@-".indexOf(c) >= 0;
    }

    /** AWS version ids (client request tokens) have 32 to 64 characters; anything else names no version. */
    static boolean isVersionId(String id) {
        return id.length() >= 32 && id.length() <= 64 && !PLACEHOLDER_VERSION.equals(id);
    }

    /** The client request token for an idempotency key: a name-based UUID of the secret name and the key. */
    static String tokenFor(String secretName, String idempotencyKey) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("rotor-idempotency\n".getBytes(StandardCharsets.UTF_8));
            sha.update(secretName.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) '\n');
            sha.update(idempotencyKey.getBytes(StandardCharsets.UTF_8));
            byte[] h = Arrays.copyOf(sha.digest(), 16);
            h[6] = (byte) ((h[6] & 0x0f) | 0x80); // version 8: a custom, name-based UUID
            h[8] = (byte) ((h[8] & 0x3f) | 0x80); // the RFC 4122 variant
            ByteBuffer bb = ByteBuffer.wrap(h);
            return new UUID(bb.getLong(), bb.getLong()).toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    static String label(Stage stage) {
        return switch (stage) {
            case CURRENT -> AWSCURRENT;
            case PENDING -> AWSPENDING;
            case PREVIOUS -> AWSPREVIOUS;
        };
    }

    /** Rotor's stages for a version's AWS labels; AWSPENDING on the AWSCURRENT version is no PENDING. */
    static Set<Stage> stages(String versionId, @Nullable Collection<String> labels) {
        if (labels == null || PLACEHOLDER_VERSION.equals(versionId)) {
            return Set.of();
        }
        Set<Stage> out = EnumSet.noneOf(Stage.class);
        if (labels.contains(AWSCURRENT)) {
            out.add(Stage.CURRENT);
        } else if (labels.contains(AWSPENDING)) {
            out.add(Stage.PENDING);
        }
        if (labels.contains(AWSPREVIOUS)) {
            out.add(Stage.PREVIOUS);
        }
        return out;
    }

    private static Map<String, String> tagMap(@Nullable List<Tag> tags) {
        Map<String, String> out = new LinkedHashMap<>();
        if (tags != null) {
            for (Tag t : tags) {
                if (t.key() != null) {
                    out.put(t.key(), t.value() == null ? "" : t.value());
                }
            }
        }
        return out;
    }

    private static Optional<VersionMeta> meta(Map<String, String> tags, String versionId) {
        String v = tags.get(VersionMeta.tagKey(versionId));
        return v == null ? Optional.empty() : VersionMeta.decode(v);
    }

    private static Instant created(Optional<VersionMeta> meta, @Nullable Instant awsCreated) {
        return meta.map(VersionMeta::created).orElse(awsCreated == null ? Instant.EPOCH : awsCreated);
    }

    private static boolean markedForDeletion(InvalidRequestException e) {
        return e.awsErrorDetails() != null && isDeletionMessage(e.awsErrorDetails().errorMessage());
    }

    private static boolean isDeletionMessage(@Nullable String message) {
        String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
        return m.contains("marked for deletion") || m.contains("marked deleted") || m.contains("scheduled for deletion");
    }

    /** Retryable: after a delete without recovery AWS takes a moment to free the name. */
    private ProviderUnavailableException scheduledForDeletion(String path, @Nullable Throwable cause) {
        return new ProviderUnavailableException("store '" + name + "': secret '" + path + "' is scheduled for deletion in AWS Secrets"
                + " Manager: after a delete Rotor made, AWS frees the name within moments; if another tool deleted it with a recovery"
                + " window, restore it (RestoreSecret) or delete it for good before writing", true, null, cause);
    }

    // ---- values ---------------------------------------------------------------------------

    /** A value as AWS takes it: text if it is non-empty UTF-8, else bytes. */
    record Encoded(@Nullable String text, byte @Nullable [] binary) {}

    static Encoded encode(SecretValue value) {
        byte[] bytes = value.bytes();
        if (bytes.length == 0) {
            return new Encoded(null, EMPTY_MARKER.clone());
        }
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes))
                    .toString();
            zero(bytes);
            return new Encoded(text, null);
        } catch (CharacterCodingException e) {
            return new Encoded(null, bytes);
        }
    }

    static byte[] decode(@Nullable String text, @Nullable SdkBytes binary) {
        if (text != null) {
            return text.getBytes(StandardCharsets.UTF_8);
        }
        if (binary == null) {
            return new byte[0];
        }
        byte[] b = binary.asByteArray();
        return Arrays.equals(b, EMPTY_MARKER) ? new byte[0] : b;
    }

    private static void zero(byte @Nullable [] bytes) {
        if (bytes != null) {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
