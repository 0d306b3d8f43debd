package dev.rotor.cli;

import dev.rotor.spi.ForwardingSecretStore;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.PutOptions;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.VersionInfo;
import dev.rotor.spi.ProviderRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotorCliTest {

    private static final String DB = "secret://main/db/app";
    private static final String V1 = "{\"username\":\"app\",\"password\":\"first-pw\"}";
    private static final String V2 = "{\"username\":\"app2\",\"password\":\"second-pw\"}";

    @TempDir
    Path dir;

    SharedMemoryProvider provider;
    CliHarness cli;

    @BeforeEach
    void setUp() throws IOException {
        provider = new SharedMemoryProvider();
        cli = new CliHarness(dir, ProviderRegistry.builder().register(provider).build());
        cli.config("""
                actor: ops-alice
                stores:
                  main: {type: shared}
                  other: {type: shared}
                """);
    }

    private static void assertOk(CliHarness.Result r) {
        assertThat(r.exitCode()).as("%s", r).isZero();
        assertThat(r.err()).as("%s", r).isEmpty();
    }

    /** The failure contract: the exit code, and exactly one line on stderr, starting with "rotor: ". */
    private static String assertOneLineError(CliHarness.Result r, int exitCode) {
        assertThat(r.exitCode()).as("%s", r).isEqualTo(exitCode);
        assertThat(r.err()).as("%s", r).startsWith("rotor: ").endsWith(System.lineSeparator());
        assertThat(r.err().strip().lines()).as("%s", r).hasSize(1);
        return r.err().strip();
    }

    /** The paths in a shared store; none if no run has opened it yet. */
    private List<String> secretsIn(String store) {
        return provider.store(store) == null ? List.of() : provider.store(store).list("");
    }

    private String valueOf(String store, String path, Selector selector) {
        return provider.store(store).get(path, selector).value().asUtf8();
    }

    @Nested
    class Put {

        @Test
        void readsTheValueFromStdinByteForByte() {
            CliHarness.Result r = cli.runWithInput(V1 + "\n", "put", DB);

            assertOk(r);
            assertThat(r.out()).isEqualTo(DB + ": put version 1 (CURRENT)" + System.lineSeparator());
            assertThat(valueOf("main", "db/app", Selector.CURRENT)).isEqualTo(V1 + "\n");
        }

        @Test
        void readsBinaryValues() {
            byte[] binary = {0, (byte) 0xff, 10, 13, (byte) 0x80};
            assertOk(cli.runWithInput(binary, "put", DB));

            assertThat(provider.store("main").get("db/app").value().bytes()).isEqualTo(binary);
        }

        @Test
        void readsTheValueFromAFileRelativeToTheWorkingDirectory() throws IOException {
            Files.writeString(dir.resolve("value.json"), V1);

            assertOk(cli.run("put", DB, "--file", "value.json"));

            assertThat(valueOf("main", "db/app", Selector.CURRENT)).isEqualTo(V1);
        }

        @Test
        void pendingLeavesCurrentAlone() {
            assertOk(cli.runWithInput(V1, "put", DB));
            CliHarness.Result r = cli.runWithInput(V2, "put", "--pending", DB);

            assertOk(r);
            assertThat(r.out()).startsWith(DB + ": put version 2 (PENDING)").contains("rotor promote " + DB);
            assertThat(valueOf("main", "db/app", Selector.CURRENT)).isEqualTo(V1);
            assertThat(valueOf("main", "db/app", Selector.PENDING)).isEqualTo(V2);
        }

        @Test
        void tagsAreRecordedOnTheVersion() {
            assertOk(cli.runWithInput(V1, "put", DB, "--tag", "owner=team-a", "--tag", "ticket=OPS-1"));

            assertThat(provider.store("main").versions("db/app")).singleElement()
                    .extracting(VersionInfo::tags).isEqualTo(Map.of("owner", "team-a", "ticket", "OPS-1"));
        }

        @Test
        void emptyStdinIsBadInputAndWritesNothing() {
            String line = assertOneLineError(cli.runWithInput("", "put", DB), ExitCodes.USAGE);

            assertThat(line).contains("no value").contains("stdin is empty");
            assertThat(secretsIn("main")).isEmpty();
        }

        @Test
        void missingFileIsBadInput() {
            String line = assertOneLineError(cli.run("put", DB, "--file", "nope.json"), ExitCodes.USAGE);

            assertThat(line).contains(dir.resolve("nope.json").toString()).contains("no such file");
        }

        @Test
        void aValueTooLargeForTheStoreIsRefusedWithoutWriting() {
            byte[] big = new byte[dev.rotor.memory.InMemorySecretStore.CAPABILITIES.maxValueBytes() + 1];

            String line = assertOneLineError(cli.runWithInput(big, "put", DB), ExitCodes.USAGE);

            assertThat(line).contains("larger than the store's limit");
            assertThat(secretsIn("main")).isEmpty();
        }

        @Test
        void aRefWithFieldOrStageIsRefused() {
            assertThat(assertOneLineError(cli.runWithInput(V1, "put", DB + "#password"), ExitCodes.USAGE))
                    .contains("remove '#password'");
            assertThat(assertOneLineError(cli.runWithInput(V1, "put", DB + "?stage=pending"), ExitCodes.USAGE))
                    .contains("remove '?stage=pending'").contains("--pending");
        }

        @Test
        void aValueGivenAsAnArgumentIsRefusedAndNotEchoed() {
            String canary = "canary-arg-7f3a9c";

            String line = assertOneLineError(cli.run("put", DB, canary), ExitCodes.USAGE);

            assertThat(line).doesNotContain(canary).contains("1 unexpected argument").contains("never from an argument");
            assertThat(secretsIn("main")).isEmpty();
        }

        @Test
        void anOptionCarryingAValueIsRefusedAndTheValueNotEchoed() {
            String canary = "canary-opt-5b21e0";

            String line = assertOneLineError(cli.run("put", DB, "--value=" + canary), ExitCodes.USAGE);

            assertThat(line).doesNotContain(canary).contains("unknown option '--value'");
        }

        @Test
        void aValueTypedWhereTheRefBelongsIsNotEchoed() {
            String canary = "canary-ref-0d4e77";

            String line = assertOneLineError(cli.runWithInput(V1, "put", canary), ExitCodes.USAGE);

            assertThat(line).doesNotContain(canary).contains("does not start with 'secret://'");
        }
    }

    @Nested
    class Get {

        @BeforeEach
        void twoVersions() {
            assertOk(cli.runWithInput(V1, "put", DB, "--tag", "owner=team-a"));
            assertOk(cli.runWithInput(V2, "put", "--pending", DB));
        }

        @Test
        void printsMetadataButNotTheValue() {
            CliHarness.Result r = cli.run("get", DB);

            assertOk(r);
            assertThat(r.out().lines()).containsExactly(
                    "store    main",
                    "path     db/app",
                    "version  1",
                    "created  2026-03-01T12:00:00Z",
                    "stages   CURRENT",
                    "tags     owner=team-a");
            assertThat(r.out()).doesNotContain("first-pw").doesNotContain("username");
        }

        @Test
        void selectsAStage() {
            CliHarness.Result r = cli.run("get", DB + "?stage=pending");

            assertOk(r);
            assertThat(r.out()).contains("version  2").contains("stages   PENDING");
        }

        @Test
        void revealPrintsTheRawValueOnly() {
            CliHarness.Result r = cli.run("get", "--reveal", DB);

            assertOk(r);
            assertThat(r.out()).isEqualTo(V1);
        }

        @Test
        void revealAppliesTheField() {
            assertThat(cli.run("get", "--reveal", DB + "#username").out()).isEqualTo("app");
            assertThat(cli.run("get", "--reveal", DB + "#username?stage=pending").out()).isEqualTo("app2");
            assertThat(cli.run("get", "--reveal", DB + "?version=1").out()).isEqualTo(V1);
        }

        @Test
        void fieldIsShownInMetadata() {
            CliHarness.Result r = cli.run("get", DB + "#username");

            assertOk(r);
            assertThat(r.out().lines()).contains("field    username").noneMatch(line -> line.endsWith(" app"));
        }

        @Test
        void jsonHasTheMetadataAndNoValue() {
            CliHarness.Result r = cli.run("get", "--json", DB);

            assertOk(r);
            assertThat(r.out().replaceAll("\\s", "")).isEqualTo(("{\"ref\":\"" + DB + "\",\"store\":\"main\",\"path\":\"db/app\","
                    + "\"version\":\"1\",\"created\":\"2026-03-01T12:00:00Z\",\"stages\":[\"CURRENT\"],"
                    + "\"tags\":{\"owner\":\"team-a\"}}"));
        }

        @Test
        void revealAndJsonTogetherAreRefused() {
            assertThat(assertOneLineError(cli.run("get", "--reveal", "--json", DB), ExitCodes.USAGE)).contains("cannot be combined");
        }

        @Test
        void missingSecretVersionStageAndFieldAreNotFound() {
            assertThat(assertOneLineError(cli.run("get", "secret://main/db/none"), ExitCodes.NOT_FOUND))
                    .isEqualTo("rotor: secret 'db/none' not found in store 'main'");
            assertThat(assertOneLineError(cli.run("get", DB + "?version=9"), ExitCodes.NOT_FOUND)).contains("no version '9'");
            assertThat(assertOneLineError(cli.run("get", DB + "?stage=previous"), ExitCodes.NOT_FOUND)).contains("no PREVIOUS version");
            assertThat(assertOneLineError(cli.run("get", "--reveal", DB + "#host"), ExitCodes.NOT_FOUND))
                    .contains(DB + "#host").contains("no field 'host'").doesNotContain("first-pw");
        }

        @Test
        void malformedRefIsBadInputNamingThePosition() {
            String line = assertOneLineError(cli.run("get", "secret://main/db//app"), ExitCodes.USAGE);

            assertThat(line).contains("secret://main/db//app").contains("position").contains("empty path segment");
        }

        @Test
        void unknownStoreListsTheConfiguredOnes() {
            String line = assertOneLineError(cli.run("get", "secret://prod/db/app"), ExitCodes.CONFIGURATION);

            assertThat(line).contains("no store named 'prod'").contains("configured: main, other");
        }
    }

    @Nested
    class Times {

        @Test
        void textShowsTimesToTheSecondAndJsonInFull() {
            cli.clock = java.time.Clock.fixed(CliHarness.NOW.plusNanos(123_456_789), java.time.ZoneOffset.UTC);
            assertOk(cli.runWithInput(V1, "put", "secret://main/timed"));

            assertThat(cli.run("get", "secret://main/timed").out()).contains("created  2026-03-01T12:00:00Z");
            assertThat(cli.run("versions", "secret://main/timed").out()).contains("1        2026-03-01T12:00:00Z  CURRENT");
            assertThat(cli.run("get", "--json", "secret://main/timed").out()).contains("\"created\" : \"2026-03-01T12:00:00.123456789Z\"");
        }
    }

    @Nested
    class VersionsAndPromote {

        @Test
        void versionsPrintsATableOldestFirst() {
            assertOk(cli.runWithInput(V1, "put", DB));
            assertOk(cli.runWithInput(V2, "put", DB, "--tag", "reason=rotation"));
            assertOk(cli.runWithInput(V1, "put", "--pending", DB));

            CliHarness.Result r = cli.run("versions", DB);

            assertOk(r);
            assertThat(r.out().lines()).containsExactly(
                    "VERSION  CREATED               STAGES    TAGS",
                    "1        2026-03-01T12:00:00Z  PREVIOUS  -",
                    "2        2026-03-01T12:00:00Z  CURRENT   reason=rotation",
                    "3        2026-03-01T12:00:00Z  PENDING   -");
        }

        @Test
        void versionsOfAMissingSecretIsNotFound() {
            assertOneLineError(cli.run("versions", "secret://main/nope"), ExitCodes.NOT_FOUND);
        }

        @Test
        void promoteMovesPendingToCurrent() {
            assertOk(cli.runWithInput(V1, "put", DB));
            assertOk(cli.runWithInput(V2, "put", "--pending", DB));

            CliHarness.Result r = cli.run("promote", DB);

            assertOk(r);
            assertThat(r.out()).isEqualTo(DB + ": CURRENT 1 -> 2; PREVIOUS is now 1" + System.lineSeparator());
            assertThat(valueOf("main", "db/app", Selector.CURRENT)).isEqualTo(V2);
            assertThat(valueOf("main", "db/app", Selector.PREVIOUS)).isEqualTo(V1);
        }

        @Test
        void promoteAChosenVersionRollsBack() {
            assertOk(cli.runWithInput(V1, "put", DB));
            assertOk(cli.runWithInput(V2, "put", DB));

            CliHarness.Result r = cli.run("promote", DB, "--version", "1");

            assertOk(r);
            assertThat(r.out()).contains("CURRENT 2 -> 1");
            assertThat(valueOf("main", "db/app", Selector.CURRENT)).isEqualTo(V1);
        }

        @Test
        void promotingTheCurrentVersionChangesNothing() {
            assertOk(cli.runWithInput(V1, "put", DB));

            CliHarness.Result r = cli.run("promote", DB, "--version", "1");

            assertOk(r);
            assertThat(r.out()).contains("already CURRENT");
        }

        @Test
        void withoutPendingThereIsNothingToPromote() {
            assertOk(cli.runWithInput(V1, "put", DB));

            assertThat(assertOneLineError(cli.run("promote", DB), ExitCodes.NOT_FOUND)).contains("has no PENDING version");
            assertThat(assertOneLineError(cli.run("promote", DB, "--version", "7"), ExitCodes.NOT_FOUND)).contains("no version '7'");
        }

        @Test
        void aConcurrentPromotionMakesItAConflictAndMovesNothingMore() {
            assertOk(cli.runWithInput(V1, "put", DB));
            assertOk(cli.runWithInput(V2, "put", "--pending", DB));
            // Another writer makes a new CURRENT between this command's read and its compare-and-set.
            provider.wrap = store -> new ForwardingSecretStore(store) {
                @Override
                public List<VersionInfo> versions(String path) {
                    List<VersionInfo> seen = super.versions(path);
                    delegate.put(path, SecretValue.ofUtf8("{\"by\":\"someone else\"}"), PutOptions.current());
                    return seen;
                }
            };

            String line = assertOneLineError(cli.run("promote", DB), ExitCodes.CONFLICT);

            assertThat(line).contains("CURRENT is at '3', expected '1'");
            assertThat(provider.store("main").get("db/app").version().id()).isEqualTo("3");
            assertThat(valueOf("main", "db/app", Selector.PENDING)).isEqualTo(V2);
        }

        @Test
        void promoteRefusesAFieldRef() {
            assertOneLineError(cli.run("promote", DB + "#password"), ExitCodes.USAGE);
        }
    }

    @Nested
    class ListPaths {

        @BeforeEach
        void secrets() {
            for (String path : List.of("db/app", "db/report", "api/stripe")) {
                assertOk(cli.runWithInput(V1, "put", "secret://main/" + path));
            }
            assertOk(cli.runWithInput(V1, "put", "secret://other/elsewhere"));
        }

        @Test
        void listsAWholeStoreSorted() {
            CliHarness.Result r = cli.run("list", "main");

            assertOk(r);
            assertThat(r.out().lines()).containsExactly("api/stripe", "db/app", "db/report");
        }

        @Test
        void listsUnderAPrefixGivenEitherWay() {
            assertThat(cli.run("list", "main/db/").out().lines()).containsExactly("db/app", "db/report");
            assertThat(cli.run("list", "secret://main/db/r").out().lines()).containsExactly("db/report");
            assertThat(cli.run("list", "secret://other").out().lines()).containsExactly("elsewhere");
        }

        @Test
        void anEmptyResultIsNotAnError() {
            CliHarness.Result r = cli.run("list", "main/nothing/");

            assertOk(r);
            assertThat(r.out()).isEmpty();
        }

        @Test
        void badStoreOrPrefixIsBadInput() {
            assertThat(assertOneLineError(cli.run("list", "Main"), ExitCodes.USAGE)).contains("invalid store name 'Main'");
            assertThat(assertOneLineError(cli.run("list", "main/db app"), ExitCodes.USAGE)).contains("not allowed");
            assertThat(assertOneLineError(cli.run("list", "prod"), ExitCodes.CONFIGURATION)).contains("no store named 'prod'");
        }
    }

    @Nested
    class Configuration {

        @Test
        void missingConfigFileIsAConfigurationError() throws IOException {
            Files.delete(dir.resolve("rotor.yaml"));

            String line = assertOneLineError(cli.run("get", DB), ExitCodes.CONFIGURATION);

            assertThat(line).contains(dir.resolve("rotor.yaml").toString()).contains("config file not found");
        }

        @Test
        void configOptionWorksBeforeAndAfterTheCommand() throws IOException {
            Files.createDirectories(dir.resolve("conf"));
            Files.move(dir.resolve("rotor.yaml"), dir.resolve("conf/other.yaml"));

            assertOk(cli.runWithInput(V1, "--config", "conf/other.yaml", "put", DB));
            assertOk(cli.run("get", DB, "--config", "conf/other.yaml"));
        }

        @Test
        void unknownKeyIsNamed() throws IOException {
            cli.config("stores: {main: {type: shared}}\nauditing: {file: a.jsonl}\n");

            String line = assertOneLineError(cli.run("list", "main"), ExitCodes.CONFIGURATION);

            assertThat(line).contains("auditing: unknown key");
        }

        @Test
        void unknownStoreTypeAndBadSettingsAreAllReported() throws IOException {
            cli.config("stores:\n  main: {type: vault}\n  other: {type: shared, colour: red}\n");

            String line = assertOneLineError(cli.run("list", "other"), ExitCodes.CONFIGURATION);

            assertThat(line).contains("2 problems").contains("stores.main.type: unknown store type 'vault' (known: shared)")
                    .contains("stores.other.colour: unknown setting");
        }
    }

    @Nested
    class General {

        @Test
        void helpListsCommandsAndExitCodes() {
            CliHarness.Result r = cli.run("--help");

            assertOk(r);
            assertThat(r.out()).contains("put", "get", "versions", "promote", "list", "audit", "keygen", "--config", "--verbose",
                    "Exit codes:");
            String flowed = r.out().replaceAll("\\s+", " ");
            for (String line : ExitCodes.HELP) {
                assertThat(flowed).contains(line.substring(0, line.indexOf(':')) + " " + line.substring(line.indexOf(':') + 1));
            }
        }

        @Test
        void everyCommandHasHelpAndVersion() {
            for (String command : List.of("put", "get", "versions", "promote", "list", "audit", "audit verify", "keygen")) {
                String[] words = command.split(" ");
                CliHarness.Result help = cli.run(append(words, "--help"));
                assertOk(help);
                assertThat(help.out()).startsWith("Usage: rotor " + command).contains("--config");
                // promote's own --version takes a version id; -V is the program version everywhere
                CliHarness.Result version = cli.run(append(words, "-V"));
                assertOk(version);
                assertThat(version.out()).startsWith("rotor ");
            }
        }

        private static String[] append(String[] words, String last) {
            String[] all = java.util.Arrays.copyOf(words, words.length + 1);
            all[words.length] = last;
            return all;
        }

        @Test
        void helpCommandShowsACommandsHelp() {
            CliHarness.Result r = cli.run("help", "put");

            assertOk(r);
            assertThat(r.out()).startsWith("Usage: rotor put").contains("--pending").contains("never");
        }

        @Test
        void versionComesFromTheBuild() {
            CliHarness.Result r = cli.run("--version");

            assertOk(r);
            assertThat(r.out().strip()).matches("rotor \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?");
        }

        @Test
        void noCommandIsAUsageError() {
            assertThat(assertOneLineError(cli.run(), ExitCodes.USAGE)).contains("a command is required");
        }

        @Test
        void unknownCommandIsAUsageError() {
            assertThat(assertOneLineError(cli.run("rotate-all"), ExitCodes.USAGE)).contains("(see 'rotor --help')");
        }

        @Test
        void missingParameterIsAUsageErrorPointingAtTheCommandsHelp() {
            assertThat(assertOneLineError(cli.run("get"), ExitCodes.USAGE)).contains("REF").contains("(see 'rotor get --help')");
        }

        @Test
        void verboseAddsTheStackTrace() {
            CliHarness.Result r = cli.run("--verbose", "get", "secret://main/none");

            assertThat(r.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
            assertThat(r.err().lines().findFirst()).hasValue("rotor: secret 'none' not found in store 'main'");
            assertThat(r.err()).contains("dev.rotor.SecretNotFoundException").contains("\tat ");
        }
    }
}
