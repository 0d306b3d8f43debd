package dev.rotor.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.SecretRef;
import dev.rotor.audit.AuditRetention;
import dev.rotor.audit.AuditRollover;
import dev.rotor.spi.RotatorConfig;
import dev.rotor.spi.StoreConfig;
import dev.rotor.store.AuditOptions;
import dev.rotor.store.CacheOptions;
import dev.rotor.store.HitAudit;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Walks the YAML tree of {@code rotor.yaml} by hand so that every problem is collected with its
 * field path, instead of stopping at the first one as data binding would.
 */
final class RotorConfigReader {

    private static final YAMLMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .build();

    private static final Set<String> TOP_KEYS = Set.of("actor", "stores", "audit", "cache", "rotators",
            RotorConfig.POLICIES, RotorConfig.SCHEDULER, RotorConfig.ALERTS, RotorConfig.API);
    private static final Set<String> AUDIT_KEYS = Set.of("file", "stdout", "checkpointKeyEnv", "cachedReads", "summaryInterval",
            "rollover", "retention", "archive", "postgres");
    private static final Set<String> ROLLOVER_KEYS = Set.of("maxSize", "daily", "zone");
    private static final Set<String> CACHE_KEYS = Set.of("ttl", "maxStale", "maxEntries", "refreshAhead");

    private final Path baseDirectory;
    private final List<ConfigProblem> problems = new ArrayList<>();

    private RotorConfigReader(Path baseDirectory) {
        this.baseDirectory = baseDirectory;
    }

    static RotorConfig read(String yaml, Path baseDirectory, String sourceName, RotorConfig.Check check) {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new InvalidConfigurationException(where(sourceName, e), "not valid YAML: " + syntaxProblem(e));
        }
        return new RotorConfigReader(baseDirectory).read(root, check);
    }

    private RotorConfig read(@Nullable JsonNode root, RotorConfig.Check check) {
        if (root == null || root.isMissingNode() || root.isNull()) {
            throw new InvalidConfigurationException("stores", "the configuration is empty; at least one store is required");
        }
        if (!root.isObject()) {
            throw new InvalidConfigurationException("(top level)",
                    "must be a mapping of actor, stores, audit, cache, rotators, policies, scheduler, alerts and api");
        }
        unknownKeys(root, "", TOP_KEYS);
        String actor = actor(root.get("actor"));
        Map<String, StoreConfig> stores = stores(root.get("stores"));
        AuditConfig audit = audit(root.get("audit"));
        CacheConfig cache = cache(root.get("cache"));
        Map<String, RotatorConfig> rotators = rotators(root.get("rotators"));
        Map<String, Object> sections = new LinkedHashMap<>();
        for (String name : RotorConfig.RAW_SECTIONS) {
            JsonNode node = root.get(name);
            if (node != null && !node.isNull()) {
                sections.put(name, plain(node));
            }
        }
        RotorConfig config = new RotorConfig(actor, stores, audit, cache, baseDirectory, rotators, sections);
        try {
            check.check(config, problems);
        } catch (InvalidConfigurationException e) {
            problems.addAll(e.problems());
        }
        InvalidConfigurationException.throwIfAny(problems);
        return config;
    }

    private Map<String, RotatorConfig> rotators(@Nullable JsonNode node) {
        Map<String, RotatorConfig> rotators = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return rotators;
        }
        if (!node.isObject()) {
            problem("rotators", "must be a mapping of rotator name to rotator settings, " + found(node));
            return rotators;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            String field = "rotators." + name;
            JsonNode r = e.getValue();
            boolean ok = true;
            if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
                problem(field, "invalid rotator name: 1 to 63 of A-Z a-z 0-9 . _ -, not starting with . _ -");
                ok = false;
            }
            if (!r.isObject()) {
                problem(field, "must be a mapping with at least 'type', " + found(r));
                continue;
            }
            String type = type(r, field, "the rotator type, e.g. postgres-password");
            Map<String, Object> settings = settings(r);
            if (ok && type != null) {
                rotators.put(name, new RotatorConfig(name, type, settings));
            }
        }
        return rotators;
    }

    private @Nullable String actor(@Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        String actor = text(node, "actor");
        if (actor != null && actor.isBlank()) {
            problem("actor", "must not be blank (leave it out for the default <user>@<host>)");
            return null;
        }
        if (actor != null && actor.chars().anyMatch(Character::isISOControl)) {
            problem("actor", "must not contain control characters");
            return null;
        }
        return actor;
    }

    private Map<String, StoreConfig> stores(@Nullable JsonNode node) {
        Map<String, StoreConfig> stores = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            problem("stores", "required: at least one store");
            return stores;
        }
        if (!node.isObject()) {
            problem("stores", "must be a mapping of store name to store settings, " + found(node));
            return stores;
        }
        if (node.isEmpty()) {
            problem("stores", "required: at least one store");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            StoreConfig store = store(e.getKey(), e.getValue());
            if (store != null) {
                stores.put(store.name(), store);
            }
        }
        return stores;
    }

    private @Nullable StoreConfig store(String name, JsonNode node) {
        String field = "stores." + name;
        boolean ok = true;
        try {
            SecretRef.checkStoreName(name);
        } catch (IllegalArgumentException e) {
            problem(field, e.getMessage());
            ok = false;
        }
        if (!node.isObject()) {
            problem(field, "must be a mapping with at least 'type', " + found(node));
            return null;
        }
        String type = type(node, field, "the provider type, e.g. local");
        Map<String, Object> settings = settings(node);
        return ok && type != null ? new StoreConfig(name, type, settings) : null;
    }

    /** The mapping's required, non-blank {@code type}; null (with the problem recorded) otherwise. */
    private @Nullable String type(JsonNode mapping, String field, String example) {
        JsonNode typeNode = mapping.get("type");
        if (typeNode == null || typeNode.isNull()) {
            problem(field + ".type", "required: " + example);
            return null;
        }
        String type = text(typeNode, field + ".type");
        if (type != null && type.isBlank()) {
            problem(field + ".type", "must not be blank");
            return null;
        }
        return type;
    }

    /** Every key of the mapping but {@code type}, as plain Java values, in file order. */
    private static Map<String, Object> settings(JsonNode mapping) {
        Map<String, Object> settings = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = mapping.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getKey().equals("type")) {
                settings.put(e.getKey(), plain(e.getValue()));
            }
        }
        return settings;
    }

    private @Nullable AuditConfig audit(@Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            problem("audit", "must be a mapping with file, stdout and checkpointKeyEnv, " + found(node));
            return null;
        }
        int before = problems.size();
        unknownKeys(node, "audit.", AUDIT_KEYS);
        Path file = null;
        JsonNode fileNode = node.get("file");
        if (fileNode != null && !fileNode.isNull()) {
            file = path(fileNode, "audit.file");
        }
        boolean stdout = false;
        JsonNode stdoutNode = node.get("stdout");
        if (stdoutNode != null && !stdoutNode.isNull()) {
            if (stdoutNode.isBoolean()) {
                stdout = stdoutNode.booleanValue();
            } else {
                problem("audit.stdout", "must be true or false, " + found(stdoutNode));
            }
        }
        String keyEnv = null;
        JsonNode keyEnvNode = node.get("checkpointKeyEnv");
        if (keyEnvNode != null && !keyEnvNode.isNull()) {
            keyEnv = text(keyEnvNode, "audit.checkpointKeyEnv");
            if (keyEnv != null && !AuditConfig.ENV_NAME.matcher(keyEnv).matches()) {
                problem("audit.checkpointKeyEnv", "'" + keyEnv + "' is not an environment variable name");
            } else if (keyEnv != null && (fileNode == null || fileNode.isNull())) {
                problem("audit.checkpointKeyEnv", "signs checkpoints in the audit file, so audit.file is required");
            }
        }
        Map<String, Object> postgres = null;
        JsonNode postgresNode = node.get("postgres");
        if (postgresNode != null && !postgresNode.isNull()) {
            if (postgresNode.isObject()) {
                @SuppressWarnings("unchecked")
                Map<String, Object> raw = (Map<String, Object>) plain(postgresNode);
                postgres = raw;
            } else {
                problem("audit.postgres", "must be a mapping (url, usernameEnv, passwordEnv, ...), " + found(postgresNode));
            }
        }
        if (problems.size() == before && file == null && !stdout && postgres == null) {
            problem("audit", "set file, stdout: true, postgres, or several (or remove the audit section)");
        }
        AuditRollover rollover = auditRollover(node.get("rollover"), file != null);
        Duration maxAge = AuditRetention.DEFAULT_MAX_AGE;
        JsonNode retentionNode = node.get("retention");
        if (retentionNode != null && !retentionNode.isNull()) {
            maxAge = positive(duration(retentionNode, "audit.retention"), "audit.retention");
        }
        AuditRetention.Disposal disposal = AuditRetention.DEFAULT.disposal();
        JsonNode archiveNode = node.get("archive");
        if (archiveNode != null && !archiveNode.isNull()) {
            String mode = text(archiveNode, "audit.archive");
            if (mode != null) {
                switch (mode) {
                    case "gzip" -> disposal = AuditRetention.Disposal.GZIP;
                    case "delete" -> disposal = AuditRetention.Disposal.DELETE;
                    default -> problem("audit.archive", "'" + mode + "' is not a mode (known: gzip, delete)");
                }
            }
        }
        HitAudit cachedReads = HitAudit.SUMMARY;
        JsonNode cachedReadsNode = node.get("cachedReads");
        if (cachedReadsNode != null && !cachedReadsNode.isNull()) {
            String mode = text(cachedReadsNode, "audit.cachedReads");
            if (mode != null) {
                switch (mode) {
                    case "summary" -> cachedReads = HitAudit.SUMMARY;
                    case "each" -> cachedReads = HitAudit.EACH;
                    default -> problem("audit.cachedReads", "'" + mode + "' is not a mode (known: summary, each)");
                }
            }
        }
        Duration summaryInterval = AuditOptions.DEFAULT_SUMMARY_INTERVAL;
        JsonNode intervalNode = node.get("summaryInterval");
        if (intervalNode != null && !intervalNode.isNull()) {
            summaryInterval = positive(duration(intervalNode, "audit.summaryInterval"), "audit.summaryInterval");
        }
        return problems.size() == before
                ? new AuditConfig(file, stdout, keyEnv, cachedReads, summaryInterval, rollover, new AuditRetention(maxAge, disposal),
                        postgres)
                : null;
    }

    /** {@code audit.rollover: {maxSize: 64MB, daily: true, zone: UTC}}; absent: never. */
    private AuditRollover auditRollover(@Nullable JsonNode node, boolean hasFile) {
        if (node == null || node.isNull()) {
            return AuditRollover.NEVER;
        }
        if (!node.isObject()) {
            problem("audit.rollover", "must be a mapping with maxSize, daily and zone, " + found(node));
            return AuditRollover.NEVER;
        }
        if (!hasFile) {
            problem("audit.rollover", "rolls over the audit file, so audit.file is required");
        }
        unknownKeys(node, "audit.rollover.", ROLLOVER_KEYS);
        long maxBytes = 0;
        JsonNode sizeNode = node.get("maxSize");
        if (sizeNode != null && !sizeNode.isNull()) {
            maxBytes = byteSize(sizeNode, "audit.rollover.maxSize");
            if (maxBytes > 0 && maxBytes < AuditRollover.MIN_BYTES) {
                problem("audit.rollover.maxSize", "must be at least 64KB");
            }
        }
        boolean daily = false;
        JsonNode dailyNode = node.get("daily");
        if (dailyNode != null && !dailyNode.isNull()) {
            if (dailyNode.isBoolean()) {
                daily = dailyNode.booleanValue();
            } else {
                problem("audit.rollover.daily", "must be true or false, " + found(dailyNode));
            }
        }
        ZoneId zone = ZoneOffset.UTC;
        JsonNode zoneNode = node.get("zone");
        if (zoneNode != null && !zoneNode.isNull()) {
            String text = text(zoneNode, "audit.rollover.zone");
            if (text != null) {
                try {
                    zone = ZoneId.of(text);
                } catch (DateTimeException e) {
                    problem("audit.rollover.zone", "'" + text + "' is not a time zone (e.g. UTC, Europe/Berlin)");
                }
            }
        }
        boolean sizeValid = maxBytes == 0 || maxBytes >= AuditRollover.MIN_BYTES; // else a problem was reported
        return sizeValid && (maxBytes > 0 || daily) ? new AuditRollover(maxBytes, daily, zone) : AuditRollover.NEVER;
    }

    private static final Pattern BYTE_SIZE = Pattern.compile("([0-9]{1,12})\\s*(B|KB|MB|GB)?");

    /** A size in bytes: a whole number, or one with B, KB, MB or GB (powers of 1024); -1 if invalid. */
    private long byteSize(JsonNode node, String field) {
        if (node.isIntegralNumber() && node.canConvertToLong() && node.longValue() >= 0) {
            return node.longValue();
        }
        String text = node.isTextual() ? node.textValue().strip() : null;
        Matcher m = text == null ? null : BYTE_SIZE.matcher(text.toUpperCase(java.util.Locale.ROOT));
        if (m == null || !m.matches()) {
            problem(field, "must be a size such as 64MB, 512KB or 1GB, " + (text == null ? found(node) : "found '" + text + "'"));
            return -1;
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "B" : m.group(2);
        int shift = switch (unit) {
            case "KB" -> 10;
            case "MB" -> 20;
            case "GB" -> 30;
            default -> 0;
        };
        return n << shift;
    }

    private @Nullable CacheConfig cache(@Nullable JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            problem("cache", "must be a mapping with ttl, " + found(node));
            return null;
        }
        unknownKeys(node, "cache.", CACHE_KEYS);
        int before = problems.size();
        JsonNode ttlNode = node.get("ttl");
        Duration ttl = null;
        if (ttlNode == null || ttlNode.isNull()) {
            problem("cache.ttl", "required: how long a value is kept, e.g. 5m");
        } else {
            ttl = duration(ttlNode, "cache.ttl");
            if (ttl != null && (ttl.isZero() || ttl.isNegative())) {
                problem("cache.ttl", "must be positive (remove the cache section to turn caching off)");
            }
        }
        Duration maxStale = CacheOptions.DEFAULT_MAX_STALE;
        JsonNode maxStaleNode = node.get("maxStale");
        if (maxStaleNode != null && !maxStaleNode.isNull()) {
            maxStale = duration(maxStaleNode, "cache.maxStale");
            if (maxStale != null && maxStale.isNegative()) {
                problem("cache.maxStale", "must not be negative (0s never serves a stale value)");
            }
        }
        Integer maxEntries = null;
        JsonNode maxEntriesNode = node.get("maxEntries");
        if (maxEntriesNode != null && !maxEntriesNode.isNull()) {
            if (!maxEntriesNode.canConvertToInt() || !maxEntriesNode.isIntegralNumber() || maxEntriesNode.intValue() < 1) {
                problem("cache.maxEntries", "must be a whole number of at least 1, " + found(maxEntriesNode));
            } else {
                maxEntries = maxEntriesNode.intValue();
            }
        }
        double refreshAhead = CacheOptions.DEFAULT_REFRESH_AHEAD;
        JsonNode refreshAheadNode = node.get("refreshAhead");
        if (refreshAheadNode != null && !refreshAheadNode.isNull()) {
            if (!refreshAheadNode.isNumber()) {
                problem("cache.refreshAhead", "must be a number from 0 (off) to 0.5, " + found(refreshAheadNode));
            } else if (!(refreshAheadNode.doubleValue() >= 0 && refreshAheadNode.doubleValue() <= 0.5)) {
                problem("cache.refreshAhead", "must be from 0 (off) to 0.5, was " + refreshAheadNode.asText());
            } else {
                refreshAhead = refreshAheadNode.doubleValue();
            }
        }
        if (problems.size() != before) {
            return null;
        }
        CacheConfig cache = new CacheConfig(ttl, maxStale, maxEntries, refreshAhead);
        try {
            cache.toOptions();
        } catch (InvalidConfigurationException e) {
            // The cache layer's own limits (e.g. a ttl of at least 2 ms); its fields are named cache.*.
            problems.addAll(e.problems());
            return null;
        }
        return cache;
    }

    private @Nullable Duration positive(@Nullable Duration d, String field) {
        if (d != null && (d.isZero() || d.isNegative())) {
            problem(field, "must be positive");
            return null;
        }
        return d;
    }

    // ---- helpers --------------------------------------------------------------------------

    private void unknownKeys(JsonNode node, String prefix, Set<String> known) {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!known.contains(key)) {
                problem(prefix + key, "unknown key (known: " + String.join(", ", known.stream().sorted().toList()) + ")");
            }
        }
    }

    private @Nullable String text(JsonNode node, String field) {
        if (!node.isTextual()) {
            problem(field, "must be a string, " + found(node));
            return null;
        }
        return node.textValue();
    }

    private @Nullable Path path(JsonNode node, String field) {
        String text = text(node, field);
        if (text == null) {
            return null;
        }
        if (text.isBlank()) {
            problem(field, "must not be blank");
            return null;
        }
        try {
            return baseDirectory.resolve(text).normalize();
        } catch (InvalidPathException e) {
            problem(field, "'" + text + "' is not a valid path");
            return null;
        }
    }

    private @Nullable Duration duration(JsonNode node, String field) {
        if (node.isNumber()) {
            problem(field, "'" + node.asText() + "' has no unit; " + Durations.FORMATS);
            return null;
        }
        String text = text(node, field);
        if (text == null) {
            return null;
        }
        try {
            return Durations.parse(text);
        } catch (IllegalArgumentException e) {
            problem(field, e.getMessage());
            return null;
        }
    }

    private void problem(String field, String message) {
        problems.add(new ConfigProblem(field, message));
    }

    private static String found(JsonNode node) {
        JsonNodeType type = node.getNodeType();
        return "found " + switch (type) {
            case OBJECT -> "a mapping";
            case ARRAY -> "a list";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "nothing";
            default -> type.name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    private static @Nullable Object plain(JsonNode node) {
        return YAML.convertValue(node, Object.class);
    }

    private static String where(String sourceName, JsonProcessingException e) {
        JsonLocation loc = e.getLocation();
        if (loc == null || loc.getLineNr() < 1) {
            return sourceName;
        }
        return sourceName + ":" + loc.getLineNr() + ":" + loc.getColumnNr();
    }

    /** The parser's short description of the problem, without the snippet of the file it quotes. */
    private static String syntaxProblem(JsonProcessingException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof MarkedYAMLException m && m.getProblem() != null) {
                return m.getProblem();
            }
        }
        String original = e.getOriginalMessage();
        if (original == null) {
            return "cannot be parsed";
        }
        int newline = original.indexOf('\n');
        return newline < 0 ? original : original.substring(0, newline);
    }
}
