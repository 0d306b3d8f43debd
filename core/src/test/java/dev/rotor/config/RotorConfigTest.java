package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.rotor.ConfigProblem;
import dev.rotor.InvalidConfigurationException;
import dev.rotor.spi.StoreConfig;
import dev.rotor.store.AuditOptions;
import dev.rotor.store.CacheOptions;
import dev.rotor.store.HitAudit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.InstanceOfAssertFactories;
import org.assertj.core.api.ListAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotorConfigTest {

    private static final Path BASE = Path.of("/etc/rotor");

    /** Asserts that parsing fails and gives an assertion on the problems it lists. */
    private static ListAssert<ConfigProblem> problemsOf(String yaml) {
        InvalidConfigurationException e = catchThrowableOfType(InvalidConfigurationException.class, () -> RotorConfig.parse(yaml, BASE));
        assertThat(e).as("parsing must fail with InvalidConfigurationException").isNotNull();
        return assertThat(e.problems());
    }

    @Test
    void readsEveryKey() {
        RotorConfig config = RotorConfig.parse("""
                actor: ops-alice
                stores:
                  main:
                    type: local
                    path: ./data/store
                    keyFile: ./data/master.key
                  scratch:
                    type: memory
                audit:
                  file: ./data/audit.jsonl
                  stdout: true
                  checkpointKeyEnv: ROTOR_AUDIT_KEY
                cache:
                  ttl: 5m
                """, BASE);

        assertThat(config.actor()).isEqualTo("ops-alice");
        assertThat(config.stores()).containsOnlyKeys("main", "scratch");
        assertThat(config.stores().keySet()).containsExactly("main", "scratch");
        assertThat(config.store("main")).isEqualTo(new StoreConfig("main", "local",
                Map.of("path", "./data/store", "keyFile", "./data/master.key")));
        assertThat(config.store("scratch")).isEqualTo(new StoreConfig("scratch", "memory", Map.of()));
        assertThat(config.audit()).isEqualTo(new AuditConfig(Path.of("/etc/rotor/data/audit.jsonl"), true, "ROTOR_AUDIT_KEY"));
        assertThat(config.cache()).isEqualTo(new CacheConfig(Duration.ofMinutes(5)));
        assertThat(config.baseDirectory()).isEqualTo(BASE);
    }

    @Test
    void onlyStoresIsRequired() {
        RotorConfig config = RotorConfig.parse("stores: {main: {type: memory}}", BASE);

        assertThat(config.actor()).isNull();
        assertThat(config.audit()).isNull();
        assertThat(config.cache()).isNull();
        assertThat(config.stores()).containsOnlyKeys("main");
    }

    @Test
    void storeSettingsKeepTheirYamlTypes() {
        RotorConfig config = RotorConfig.parse("""
                stores:
                  main:
                    type: custom
                    port: 8200
                    tls: true
                    namespaces: [a, b]
                    nested: {k: v}
                """, BASE);

        assertThat(config.store("main").settings())
                .containsEntry("port", 8200)
                .containsEntry("tls", true)
                .containsEntry("namespaces", List.of("a", "b"))
                .containsEntry("nested", Map.of("k", "v"));
    }

    @Test
    void auditFileWithoutStdoutAndAbsolutePathStaysAsIs() {
        RotorConfig config = RotorConfig.parse("""
                stores: {main: {type: memory}}
                audit: {file: /var/log/rotor/audit.jsonl}
                """, BASE);

        assertThat(config.audit()).isEqualTo(new AuditConfig(Path.of("/var/log/rotor/audit.jsonl"), false, null));
    }

    @Test
    void loadResolvesRelativePathsAgainstTheFilesDirectoryNotTheWorkingDirectory(@TempDir Path dir) throws IOException {
        Path sub = Files.createDirectories(dir.resolve("conf"));
        Path file = sub.resolve("rotor.yaml");
        Files.writeString(file, """
                stores: {main: {type: memory}}
                audit: {file: ../logs/audit.jsonl}
                """);

        RotorConfig config = RotorConfig.load(file);

        assertThat(config.baseDirectory()).isEqualTo(sub.toAbsolutePath().normalize());
        assertThat(config.audit().file()).isEqualTo(dir.resolve("logs/audit.jsonl").toAbsolutePath().normalize());
    }

    @Test
    void missingFileIsAProblemNamingTheFile(@TempDir Path dir) {
        Path file = dir.resolve("nope.yaml");

        assertThatThrownBy(() -> RotorConfig.load(file))
                .isInstanceOf(InvalidConfigurationException.class)
                .extracting(e -> ((InvalidConfigurationException) e).problems())
                .isEqualTo(List.of(new ConfigProblem(file.toString(), "config file not found")));
    }

    @Test
    void yamlSyntaxErrorNamesLineAndColumn(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("rotor.yaml");
        Files.writeString(file, "stores:\n  main:\n    type: memory\n   bad: [unclosed\n");

        assertThatThrownBy(() -> RotorConfig.load(file))
                .isInstanceOf(InvalidConfigurationException.class)
                .asInstanceOf(InstanceOfAssertFactories.type(InvalidConfigurationException.class))
                .extracting(InvalidConfigurationException::problems, InstanceOfAssertFactories.list(ConfigProblem.class))
                .singleElement()
                .satisfies(p -> {
                    assertThat(p.field()).startsWith(file + ":").matches(".*:\\d+:\\d+");
                    assertThat(p.message()).startsWith("not valid YAML: ");
                });
    }

    @Test
    void duplicateKeyIsAnError() {
        assertThatThrownBy(() -> RotorConfig.parse("stores: {main: {type: memory}}\nactor: a\nactor: b\n", BASE))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining("not valid YAML")
                .hasMessageContaining("actor");
    }

    @Test
    void unknownTopLevelKeyIsNamed() {
        problemsOf("""
                stores: {main: {type: memory}}
                caches: {ttl: 5m}
                """).isEqualTo(List.of(new ConfigProblem("caches", "unknown key (known: actor, alerts, api, audit, cache, policies, rotators, scheduler, stores)")));
    }

    @Test
    void unknownAuditAndCacheKeysAreNamedWithTheirPath() {
        problemsOf("""
                stores: {main: {type: memory}}
                audit: {file: a.jsonl, fsync: true}
                cache: {ttl: 5m, size: 10}
                """).isEqualTo(List.of(
                new ConfigProblem("audit.fsync", "unknown key (known: archive, cachedReads, checkpointKeyEnv, file, postgres, retention, rollover, stdout,"
                        + " summaryInterval)"),
                new ConfigProblem("cache.size", "unknown key (known: maxEntries, maxStale, refreshAhead, ttl)")));
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        problemsOf("""
                actor: "  "
                colour: blue
                stores:
                  Main:
                    type: local
                  other:
                    path: x
                  third: just-a-string
                audit:
                  stdout: maybe
                  checkpointKeyEnv: "not a name"
                cache:
                  ttl: 300
                """).satisfies(problems -> assertThat(problems).extracting(ConfigProblem::field).containsExactly(
                "colour",
                "actor",
                "stores.Main",
                "stores.other.type",
                "stores.third",
                "audit.stdout",
                "audit.checkpointKeyEnv",
                "cache.ttl"));
    }

    @Test
    void theExceptionMessageListsEveryProblem() {
        assertThatThrownBy(() -> RotorConfig.parse("colour: blue\nstores: {main: {path: x}}\n", BASE))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessage("invalid configuration (2 problems): colour: unknown key (known: actor, alerts, api, audit, cache, policies, rotators, scheduler, stores); "
                        + "stores.main.type: required: the provider type, e.g. local");
    }

    @Test
    void storesAreRequired() {
        problemsOf("actor: me\n").isEqualTo(List.of(new ConfigProblem("stores", "required: at least one store")));
        problemsOf("stores: {}\n").isEqualTo(List.of(new ConfigProblem("stores", "required: at least one store")));
        problemsOf("stores: [main]\n").isEqualTo(List.of(new ConfigProblem("stores",
                "must be a mapping of store name to store settings, found a list")));
    }

    @Test
    void emptyDocumentSaysAStoreIsRequired() {
        problemsOf("").isEqualTo(List.of(new ConfigProblem("stores", "the configuration is empty; at least one store is required")));
        problemsOf("# only a comment\n").isEqualTo(List.of(new ConfigProblem("stores",
                "the configuration is empty; at least one store is required")));
    }

    @Test
    void topLevelMustBeAMapping() {
        problemsOf("- a\n- b\n").satisfies(p -> assertThat(p).singleElement().extracting(ConfigProblem::field).isEqualTo("(top level)"));
    }

    @Test
    void invalidStoreNameQuotesTheRule() {
        problemsOf("stores: {my_store: {type: memory}}\n").satisfies(p -> assertThat(p).singleElement().satisfies(problem -> {
            assertThat(problem.field()).isEqualTo("stores.my_store");
            assertThat(problem.message()).contains("a-z, 0-9 and '-'");
        }));
    }

    @Test
    void storeTypeMustBeAString() {
        problemsOf("stores: {main: {type: [local]}}\n")
                .isEqualTo(List.of(new ConfigProblem("stores.main.type", "must be a string, found a list")));
    }

    @Test
    void durationProblemsNameTheField() {
        problemsOf("stores: {main: {type: memory}}\ncache: {ttl: 5x}\n").satisfies(p -> assertThat(p).singleElement().satisfies(problem -> {
            assertThat(problem.field()).isEqualTo("cache.ttl");
            assertThat(problem.message()).startsWith("'5x' is not a duration");
        }));
        problemsOf("stores: {main: {type: memory}}\ncache: {ttl: PT0S}\n")
                .isEqualTo(List.of(new ConfigProblem("cache.ttl", "must be positive (remove the cache section to turn caching off)")));
        problemsOf("stores: {main: {type: memory}}\ncache: {}\n")
                .isEqualTo(List.of(new ConfigProblem("cache.ttl", "required: how long a value is kept, e.g. 5m")));
    }

    @Test
    void cacheAndAuditTuningKeysAreRead() {
        RotorConfig config = RotorConfig.parse("""
                stores: {main: {type: memory}}
                audit: {file: audit.jsonl, cachedReads: each, summaryInterval: 30s}
                cache: {ttl: 10m, maxStale: 0s, maxEntries: 500}
                """, BASE);

        assertThat(config.cache()).isEqualTo(new CacheConfig(Duration.ofMinutes(10), Duration.ZERO, 500));
        assertThat(config.cache().toOptions()).isEqualTo(CacheOptions.defaults()
                .withTtl(Duration.ofMinutes(10)).withMaxStale(Duration.ZERO).withMaxEntries(500));
        assertThat(config.audit().cachedReads()).isEqualTo(HitAudit.EACH);
        assertThat(config.audit().summaryInterval()).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void refreshAheadIsReadAndDefaultsToTheCacheLayers() {
        RotorConfig tuned = RotorConfig.parse("stores: {main: {type: memory}}\ncache: {ttl: 10m, refreshAhead: 0.35}\n", BASE);
        RotorConfig plain = RotorConfig.parse("stores: {main: {type: memory}}\ncache: {ttl: 10m}\n", BASE);
        RotorConfig off = RotorConfig.parse("stores: {main: {type: memory}}\ncache: {ttl: 10m, refreshAhead: 0}\n", BASE);

        assertThat(tuned.cache().toOptions().refreshAhead()).isEqualTo(0.35);
        assertThat(plain.cache().toOptions().refreshAhead()).isEqualTo(CacheOptions.DEFAULT_REFRESH_AHEAD);
        assertThat(off.cache().toOptions().refreshAhead()).isZero();
    }

    @Test
    void badRefreshAheadIsNamedBesideTheOtherProblems() {
        problemsOf("stores: {main: {type: memory}}\ncache: {ttl: 5m, maxEntries: 0, refreshAhead: 0.7}\n")
                .extracting(ConfigProblem::field)
                .containsExactlyInAnyOrder("cache.maxEntries", "cache.refreshAhead");
        problemsOf("stores: {main: {type: memory}}\ncache: {ttl: 5m, refreshAhead: 0.7}\n")
                .isEqualTo(List.of(new ConfigProblem("cache.refreshAhead", "must be from 0 (off) to 0.5, was 0.7")));
        problemsOf("stores: {main: {type: memory}}\ncache: {ttl: 5m, refreshAhead: soon}\n")
                .isEqualTo(List.of(new ConfigProblem("cache.refreshAhead",
                        "must be a number from 0 (off) to 0.5, found a string")));
    }

    @Test
    void tuningDefaultsAreTheLayersDefaults() {
        RotorConfig config = RotorConfig.parse("""
                stores: {main: {type: memory}}
                audit: {stdout: true}
                cache: {ttl: 5m}
                """, BASE);

        assertThat(config.cache().toOptions()).isEqualTo(CacheOptions.defaults());
        assertThat(config.audit().cachedReads()).isEqualTo(HitAudit.SUMMARY);
        assertThat(config.audit().summaryInterval()).isEqualTo(AuditOptions.DEFAULT_SUMMARY_INTERVAL);
    }

    @Test
    void badTuningValuesAreAllNamed() {
        problemsOf("""
                stores: {main: {type: memory}}
                audit: {file: a.jsonl, cachedReads: sometimes, summaryInterval: 0s}
                cache: {ttl: 5m, maxStale: -PT1S, maxEntries: 0}
                """).containsExactly(
                new ConfigProblem("audit.cachedReads", "'sometimes' is not a mode (known: summary, each)"),
                new ConfigProblem("audit.summaryInterval", "must be positive"),
                new ConfigProblem("cache.maxStale", "must not be negative (0s never serves a stale value)"),
                new ConfigProblem("cache.maxEntries", "must be a whole number of at least 1, found a number"));
    }

    @Test
    void theCacheLayersOwnLimitsAreReportedAtLoad() {
        problemsOf("stores: {main: {type: memory}}\ncache: {ttl: 1ms}\n")
                .singleElement().extracting(ConfigProblem::field).isEqualTo("cache.ttl");
    }

    @Test
    void isoTtlIsAccepted() {
        assertThat(RotorConfig.parse("stores: {main: {type: memory}}\ncache: {ttl: PT90S}\n", BASE).cache().ttl())
                .isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void auditNeedsAFileOrStdout() {
        problemsOf("stores: {main: {type: memory}}\naudit: {stdout: false}\n")
                .isEqualTo(List.of(new ConfigProblem("audit", "set file, stdout: true, postgres, or several (or remove the audit section)")));
        problemsOf("stores: {main: {type: memory}}\naudit: {}\n")
                .isEqualTo(List.of(new ConfigProblem("audit", "set file, stdout: true, postgres, or several (or remove the audit section)")));
    }

    @Test
    void checkpointKeyNeedsAFile() {
        problemsOf("stores: {main: {type: memory}}\naudit: {stdout: true, checkpointKeyEnv: KEY}\n")
                .isEqualTo(List.of(new ConfigProblem("audit.checkpointKeyEnv",
                        "signs checkpoints in the audit file, so audit.file is required")));
    }

    @Test
    void recordsRejectWhatTheReaderRejects() {
        assertThatThrownBy(() -> new AuditConfig(null, false, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditConfig(Path.of("relative.jsonl"), false, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new AuditConfig(null, true, "KEY")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new CacheConfig(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RotorConfig(" ", Map.of(), null, null, BASE)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RotorConfig(null, Map.of("a", new StoreConfig("b", "memory", Map.of())), null, null, BASE))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'b' is listed under the name 'a'");
    }
}
