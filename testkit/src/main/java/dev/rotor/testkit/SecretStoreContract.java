package dev.rotor.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rotor.ConflictException;
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
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The behaviour every {@link SecretStore} must show. A provider's test extends this class,
 * names itself after the provider ({@code VaultSecretStoreContractIT}) and implements
 * {@link #store()}, opening the store once per class or once per test in lifecycle methods of
 * its own. The in-memory reference store passes every case.
 *
 * <pre>{@code
 * class VaultSecretStoreContractIT extends SecretStoreContract {
 *     static SecretStore store;
 *
 *     @BeforeAll
 *     static void open() { store = ...; }
 *
 *     @AfterAll
 *     static void close() { store.close(); }
 *
 *     @Override
 *     protected SecretStore store() { return store; }
 * }
 * }</pre>
 *
 * Each case below is one plainly named test method (each odd path too), so a report lists
 * every case per provider.
 *
 * <p>The cases are written for a slow backend shared between tests and runs: each test works
 * under its own random path prefix ({@code contract/<random>/...}) and deletes, afterwards,
 * every secret it wrote that it can still find. A store closed by the subclass's own
 * {@code @AfterEach} is skipped by that cleanup.
 *
 * <p>Cases:
 * <ol>
 *   <li><b>Read your write</b>: a put as CURRENT is returned by {@code get} (by stage and by
 *       version id) with the same bytes, path and version; the version id is usable in a ref.
 *   <li>A second put as CURRENT makes the first version PREVIOUS.
 *   <li><b>Typed not-found</b>, with a message naming the path: a missing secret (get,
 *       versions, promote, moveStage); a missing version id (also naming the id); a missing
 *       PENDING and a missing PREVIOUS stage (also naming the stage); delete of a missing
 *       secret.
 *   <li>{@code versions} lists versions oldest first, each with the stages pointing at it, and
 *       creation times that never go backwards.
 *   <li>A PENDING put does not change what CURRENT returns; a secret with only a PENDING
 *       version has no CURRENT.
 *   <li><b>Promote</b> makes the version CURRENT, the old CURRENT PREVIOUS and clears PENDING,
 *       all at once; with no expected version it moves unconditionally; with a stale expected
 *       CURRENT it throws {@link ConflictException} and moves nothing; promoting a missing
 *       version throws not-found and moves nothing.
 *   <li><b>Concurrent promoters</b>: two threads released together by a barrier promote
 *       different versions expecting the same CURRENT; in every round exactly one wins and the
 *       other gets {@link ConflictException}.
 *   <li><b>moveStage</b> is a compare-and-set for PENDING and PREVIOUS: it moves when the stage
 *       is where the caller expects (or unconditionally with no expectation), throws
 *       {@link ConflictException} and moves nothing otherwise, removes a stage when given no
 *       version, refuses to move CURRENT, and throws not-found for a missing version.
 *   <li>An <b>idempotency key</b> reused on the same path returns the first version and makes no
 *       other, even with a different value; another key makes a new version.
 *   <li><b>Tags</b> round-trip per version, if {@link dev.rotor.Capabilities#tags()}.
 *   <li><b>Binary values</b> with all 256 byte values round-trip, if
 *       {@link dev.rotor.Capabilities#binaryValues()}; <b>UTF-8 text</b> with multi-byte
 *       characters and emoji always does.
 *   <li>A value of exactly {@link dev.rotor.Capabilities#maxValueBytes()} round-trips; one byte
 *       more is rejected with an error naming the path and the limit, and nothing is stored.
 *   <li>An empty value round-trips.
 *   <li>Destroying the value passed to put, or one returned by get, leaves the stored value
 *       intact.
 *   <li><b>list</b> returns exactly the paths that start with the prefix (a plain string
 *       prefix), sorted, and never a deleted secret.
 *   <li><b>delete</b> removes every version: get and versions then throw not-found; a later put
 *       starts a fresh secret with one version.
 *   <li><b>Odd paths</b> (space, non-ASCII, {@code ..}, {@code .}, {@code //}, leading and
 *       trailing {@code /}, {@code %2F}, backslash, NUL, newline, empty, very long) are either
 *       rejected with {@link InvalidSecretRefException} whose message names the problem, for
 *       put and get alike and with nothing stored, or round-trip exactly.
 *   <li><b>No leaks</b>: a canary value never appears in the {@code toString()} of
 *       {@link Secret}, {@link SecretValue}, {@link VersionInfo}, the store or its health,
 *       nor in any exception thrown while using the store (conflicts, not-found, a too-large
 *       value, a bad path, field access), nor in any log event, {@code System.out},
 *       {@code System.err} or a file named by {@link #leakCheckedFiles()}.
 *   <li>{@code health()} reports the store up.
 * </ol>
 *
 * <p>Threading: the test methods are not meant to run in parallel with each other (the leak
 * check replaces process-wide streams and logger levels); the store itself is used from
 * several threads by the concurrent-promoter case.
 */
public abstract class SecretStoreContract {

    private static final Logger log = LoggerFactory.getLogger(SecretStoreContract.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

    private final Set<String> written = ConcurrentHashMap.newKeySet();
    private String prefix = "";

    /** The store under test, open; the same one or a new one for each test, as the subclass likes. */
    protected abstract SecretStore store();

    /** First segment of every path the contract writes. */
    protected String pathRoot() {
        return "contract";
    }

    /** How many rounds the concurrent-promoter case runs; lower it for a slow backend. */
    protected int concurrentPromoteRounds() {
        return 10;
    }

    /** How long one store operation may take before a concurrent case gives up on it. */
    protected Duration operationTimeout() {
        return Duration.ofSeconds(60);
    }

    /** Files or directories (audit logs, the store's own files) that must never hold a canary. */
    protected List<Path> leakCheckedFiles() {
        return List.of();
    }

    /** Version ids that no store issues; each must give not-found, never another version. */
    protected List<String> missingVersionIds() {
        return List.of("999999999", "no-such-version");
    }

    /** The random prefix, ending in '/', under which the running test writes. */
    protected final String prefix() {
        return prefix;
    }

    /** A path under this test's prefix. */
    protected final String path(String name) {
        return prefix + name;
    }

    @BeforeEach
    public final void chooseUniquePrefix() {
        prefix = pathRoot() + "/" + randomId(12) + "/";
    }

    @AfterEach
    public final void deleteWhatThisTestWrote() {
        SecretStore store;
        try {
            store = store();
        } catch (RuntimeException e) {
            log.debug("no store to clean up {} in: {}", prefix, e.toString());
            return;
        }
        if (store == null) {
            return;
        }
        Set<String> paths = new TreeSet<>(written);
        written.clear();
        try {
            paths.addAll(store.list(prefix));
        } catch (RuntimeException e) {
            // Most likely closed by the subclass already; a store that cannot list cannot delete.
            log.warn("cannot list {} to clean it up: {}", prefix, e.toString());
            return;
        }
        for (String p : paths) {
            try {
                store.delete(p);
            } catch (SecretNotFoundException | InvalidSecretRefException e) {
                // never written, already deleted, or a path the store refused
            } catch (RuntimeException e) {
                log.warn("cannot delete {} after the test: {}", p, e.toString());
            }
        }
    }

    // ---- read your write ---------------------------------------------------------------

    @Test
    public void putThenGetReturnsTheValueWritten() {
        String p = path("read-your-write");
        VersionInfo v = put(p, "first value", PutOptions.current());

        assertThat(v.stages()).containsExactly(Stage.CURRENT);
        assertThatCode(() -> SecretRef.checkVersionId(v.id())).as("version id usable in a ref").doesNotThrowAnyException();
        Secret current = store().get(p);
        assertThat(current.path()).isEqualTo(p);
        assertThat(current.version().id()).isEqualTo(v.id());
        assertThat(current.version().stages()).contains(Stage.CURRENT);
        assertThat(current.value().asUtf8()).isEqualTo("first value");
        Secret byId = store().get(p, Selector.version(v.id()));
        assertThat(byId.version().id()).isEqualTo(v.id());
        assertThat(byId.value().asUtf8()).isEqualTo("first value");
    }

    @Test
    public void secondCurrentPutMakesTheFirstVersionPrevious() {
        String p = path("two-puts");
        VersionInfo v1 = put(p, "one", PutOptions.current());
        VersionInfo v2 = put(p, "two", PutOptions.current());

        assertThat(v2.id()).isNotEqualTo(v1.id());
        assertThat(store().get(p).value().asUtf8()).isEqualTo("two");
        assertThat(store().get(p, Selector.PREVIOUS).value().asUtf8()).isEqualTo("one");
        assertThat(store().get(p, Selector.PREVIOUS).version().id()).isEqualTo(v1.id());
        assertThat(stagesById(p)).containsExactly(
                Map.entry(v1.id(), Set.of(Stage.PREVIOUS)),
                Map.entry(v2.id(), Set.of(Stage.CURRENT)));
    }

    // ---- typed not-found ----------------------------------------------------------------

    @Test
    public void operationsOnMissingSecretThrowNotFoundNamingThePath() {
        String p = path("never-written");

        assertNotFound(() -> store().get(p), p);
        assertNotFound(() -> store().get(p, Selector.PENDING), p);
        assertNotFound(() -> store().get(p, Selector.version("1")), p);
        assertNotFound(() -> store().versions(p), p);
        assertNotFound(() -> store().promote(p, "1", null), p);
        assertNotFound(() -> store().moveStage(p, Stage.PENDING, null, null), p);
    }

    @Test
    public void getOfMissingVersionIdThrowsNotFoundNamingPathAndVersion() {
        String p = path("missing-version");
        put(p, "only version", PutOptions.current());

        for (String id : missingVersionIds()) {
            assertNotFound(() -> store().get(p, Selector.version(id)), p, id);
        }
    }

    @Test
    public void getOfMissingPendingThrowsNotFoundNamingPathAndStage() {
        String p = path("no-pending");
        put(p, "current only", PutOptions.current());

        assertNotFound(() -> store().get(p, Selector.PENDING), p, "pending");
    }

    @Test
    public void getOfMissingPreviousThrowsNotFoundNamingPathAndStage() {
        String p = path("no-previous");
        put(p, "single version", PutOptions.current());

        assertNotFound(() -> store().get(p, Selector.PREVIOUS), p, "previous");
    }

    // ---- versions and stages ------------------------------------------------------------

    @Test
    public void versionsAreListedInCreationOrderWithTheirStages() {
        String p = path("history");
        VersionInfo v1 = put(p, "v1", PutOptions.current());
        VersionInfo v2 = put(p, "v2", PutOptions.current());
        VersionInfo v3 = put(p, "v3", PutOptions.pending());

        assertThat(stagesById(p)).containsExactly(
                Map.entry(v1.id(), Set.of(Stage.PREVIOUS)),
                Map.entry(v2.id(), Set.of(Stage.CURRENT)),
                Map.entry(v3.id(), Set.of(Stage.PENDING)));

        VersionInfo v4 = put(p, "v4", PutOptions.current());

        List<VersionInfo> versions = store().versions(p);
        assertThat(versions).extracting(VersionInfo::id).containsExactly(v1.id(), v2.id(), v3.id(), v4.id());
        assertThat(stagesById(p)).containsExactly(
                Map.entry(v1.id(), Set.of()),
                Map.entry(v2.id(), Set.of(Stage.PREVIOUS)),
                Map.entry(v3.id(), Set.of(Stage.PENDING)),
                Map.entry(v4.id(), Set.of(Stage.CURRENT)));
        for (int i = 1; i < versions.size(); i++) {
            assertThat(versions.get(i).created()).as("created time of version %d", i)
                    .isAfterOrEqualTo(versions.get(i - 1).created());
        }
    }

    @Test
    public void pendingPutDoesNotChangeWhatCurrentReturns() {
        String p = path("pending-put");
        VersionInfo v1 = put(p, "live", PutOptions.current());
        VersionInfo v2 = put(p, "candidate", PutOptions.pending());

        assertThat(v2.stages()).containsExactly(Stage.PENDING);
        assertThat(store().get(p).value().asUtf8()).isEqualTo("live");
        assertThat(store().get(p).version().id()).isEqualTo(v1.id());
        assertThat(store().get(p, Selector.PENDING).value().asUtf8()).isEqualTo("candidate");
        assertThat(stagesById(p)).containsExactly(
                Map.entry(v1.id(), Set.of(Stage.CURRENT)),
                Map.entry(v2.id(), Set.of(Stage.PENDING)));
    }

    @Test
    public void secretWithOnlyAPendingVersionHasNoCurrent() {
        String p = path("pending-only");
        put(p, "not yet live", PutOptions.pending());

        assertNotFound(() -> store().get(p), p);
        assertThat(store().get(p, Selector.PENDING).value().asUtf8()).isEqualTo("not yet live");
    }

    // ---- promote ------------------------------------------------------------------------

    @Test
    public void promoteMakesPendingCurrentMovesOldCurrentToPreviousAndClearsPending() {
        String p = path("promote");
        VersionInfo v1 = put(p, "old", PutOptions.current());
        VersionInfo v2 = put(p, "new", PutOptions.pending());

        VersionInfo promoted = store().promote(p, v2.id(), v1.id());

        assertThat(promoted.id()).isEqualTo(v2.id());
        assertThat(promoted.stages()).containsExactly(Stage.CURRENT);
        assertThat(stagesById(p)).containsExactly(
                Map.entry(v1.id(), Set.of(Stage.PREVIOUS)),
                Map.entry(v2.id(), Set.of(Stage.CURRENT)));
        assertThat(store().get(p).value().asUtf8()).isEqualTo("new");
        assertThat(store().get(p, Selector.PREVIOUS).value().asUtf8()).isEqualTo("old");
        assertNotFound(() -> store().get(p, Selector.PENDING), p, "pending");
    }

    @Test
    public void promoteWithoutExpectedVersionMovesUnconditionally() {
        String p = path("promote-unconditional");
        VersionInfo v1 = put(p, "one", PutOptions.current());
        VersionInfo v2 = put(p, "two", PutOptions.current());

        store().promote(p, v1.id(), null);

        assertThat(stagesById(p)).containsExactly(
                Map.entry(v1.id(), Set.of(Stage.CURRENT)),
                Map.entry(v2.id(), Set.of(Stage.PREVIOUS)));
        assertThat(store().get(p).value().asUtf8()).isEqualTo("one");
    }

    @Test
    public void promoteWithStaleExpectedCurrentThrowsConflictAndMovesNothing() {
        String p = path("promote-stale");
        VersionInfo v1 = put(p, "one", PutOptions.current());
        put(p, "two", PutOptions.current());
        VersionInfo v3 = put(p, "three", PutOptions.pending());
        List<VersionInfo> before = store().versions(p);

        assertThatThrownBy(() -> store().promote(p, v3.id(), v1.id()))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining(p);

        assertThat(store().versions(p)).isEqualTo(before);
        assertThat(store().get(p).value().asUtf8()).isEqualTo("two");
    }

    @Test
    public void promoteOfMissingVersionThrowsNotFoundAndMovesNothing() {
        String p = path("promote-missing");
        VersionInfo v1 = put(p, "one", PutOptions.current());
        List<VersionInfo> before = store().versions(p);
        String missing = missingVersionIds().get(0);

        assertNotFound(() -> store().promote(p, missing, v1.id()), p, missing);

        assertThat(store().versions(p)).isEqualTo(before);
    }

    @Test
    public void concurrentPromotersWithTheSameExpectedCurrentExactlyOneWins() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < concurrentPromoteRounds(); round++) {
                String p = path("race-" + round);
                String v1 = put(p, "start", PutOptions.current()).id();
                String a = put(p, "candidate a", PutOptions.pending()).id();
                String b = put(p, "candidate b", PutOptions.pending()).id();
                CyclicBarrier together = new CyclicBarrier(2);

                Future<Promotion> fa = pool.submit(() -> promoteTogether(together, p, a, v1));
                Future<Promotion> fb = pool.submit(() -> promoteTogether(together, p, b, v1));
                List<Promotion> outcomes = List.of(
                        fa.get(operationTimeout().toNanos(), TimeUnit.NANOSECONDS),
                        fb.get(operationTimeout().toNanos(), TimeUnit.NANOSECONDS));

                assertThat(outcomes).as("round %d: %s", round, outcomes).filteredOn(Promotion::won).hasSize(1);
                Promotion winner = outcomes.stream().filter(Promotion::won).findFirst().orElseThrow();
                Promotion loser = outcomes.stream().filter(o -> !o.won()).findFirst().orElseThrow();
                assertThat(loser.error()).as("round %d: the loser's error", round).isInstanceOf(ConflictException.class);
                Map<String, Set<Stage>> stages = stagesById(p);
                assertThat(stages.get(winner.versionId())).as("round %d: winner", round).containsExactly(Stage.CURRENT);
                assertThat(stages.get(v1)).as("round %d: old current", round).containsExactly(Stage.PREVIOUS);
                assertThat(stages.get(loser.versionId())).as("round %d: loser", round)
                        .doesNotContain(Stage.CURRENT, Stage.PREVIOUS);
                assertThat(store().get(p).version().id()).isEqualTo(winner.versionId());
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private record Promotion(String versionId, @Nullable Throwable error) {
        boolean won() {
            return error == null;
        }
    }

    private Promotion promoteTogether(CyclicBarrier together, String p, String versionId, String expected) throws Exception {
        together.await(operationTimeout().toNanos(), TimeUnit.NANOSECONDS);
        try {
            store().promote(p, versionId, expected);
            return new Promotion(versionId, null);
        } catch (RuntimeException e) {
            return new Promotion(versionId, e);
        }
    }

    // ---- moveStage ----------------------------------------------------------------------

    @Test
    public void moveStageWithMatchingOrNoExpectedVersionMovesPendingAndPrevious() {
        String p = path("move");
        VersionInfo v1 = put(p, "one", PutOptions.current());
        VersionInfo v2 = put(p, "two", PutOptions.pending());
        VersionInfo v3 = put(p, "three", PutOptions.pending());

        store().moveStage(p, Stage.PENDING, v2.id(), v3.id());
        assertThat(store().get(p, Selector.PENDING).version().id()).isEqualTo(v2.id());

        store().moveStage(p, Stage.PENDING, v3.id(), null);
        assertThat(store().get(p, Selector.PENDING).version().id()).isEqualTo(v3.id());

        store().moveStage(p, Stage.PREVIOUS, v2.id(), null);
        assertThat(stagesById(p)).containsExactly(
                Map.entry(v1.id(), Set.of(Stage.CURRENT)),
                Map.entry(v2.id(), Set.of(Stage.PREVIOUS)),
                Map.entry(v3.id(), Set.of(Stage.PENDING)));
        assertThat(store().get(p).value().asUtf8()).isEqualTo("one");

        store().moveStage(p, Stage.PREVIOUS, null, v2.id());
        assertThat(stagesById(p)).containsExactly(
                Map.entry(v1.id(), Set.of(Stage.CURRENT)),
                Map.entry(v2.id(), Set.of()),
                Map.entry(v3.id(), Set.of(Stage.PENDING)));
    }

    @Test
    public void moveStageWithStaleExpectedVersionThrowsConflictAndMovesNothing() {
        String p = path("move-stale");
        VersionInfo v1 = put(p, "one", PutOptions.current());
        VersionInfo v2 = put(p, "two", PutOptions.pending());
        VersionInfo v3 = put(p, "three", PutOptions.pending());
        List<VersionInfo> before = store().versions(p);

        assertThatThrownBy(() -> store().moveStage(p, Stage.PENDING, v2.id(), v2.id()))
                .isInstanceOf(ConflictException.class)
                .hasMessageContaining(p);
        assertThatThrownBy(() -> store().moveStage(p, Stage.PENDING, null, v1.id()))
                .isInstanceOf(ConflictException.class);

        assertThat(store().versions(p)).isEqualTo(before);
        assertThat(store().get(p, Selector.PENDING).version().id()).isEqualTo(v3.id());
    }

    @Test
    public void moveStageToNoVersionRemovesPending() {
        String p = path("remove-pending");
        VersionInfo v1 = put(p, "live", PutOptions.current());
        VersionInfo v2 = put(p, "abandoned", PutOptions.pending());

        store().moveStage(p, Stage.PENDING, null, v2.id());

        assertNotFound(() -> store().get(p, Selector.PENDING), p, "pending");
        assertThat(stagesById(p)).containsExactly(
                Map.entry(v1.id(), Set.of(Stage.CURRENT)),
                Map.entry(v2.id(), Set.of()));
        assertThat(store().get(p).value().asUtf8()).isEqualTo("live");
    }

    @Test
    public void moveStageRefusesToMoveCurrentAndMovesNothing() {
        String p = path("move-current");
        put(p, "one", PutOptions.current());
        VersionInfo v2 = put(p, "two", PutOptions.pending());
        List<VersionInfo> before = store().versions(p);

        assertThatThrownBy(() -> store().moveStage(p, Stage.CURRENT, v2.id(), null))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(store().versions(p)).isEqualTo(before);
    }

    @Test
    public void moveStageToMissingVersionThrowsNotFoundAndMovesNothing() {
        String p = path("move-missing");
        put(p, "one", PutOptions.current());
        VersionInfo v2 = put(p, "two", PutOptions.pending());
        List<VersionInfo> before = store().versions(p);
        String missing = missingVersionIds().get(0);

        assertNotFound(() -> store().moveStage(p, Stage.PENDING, missing, v2.id()), p, missing);

        assertThat(store().versions(p)).isEqualTo(before);
    }

    // ---- idempotency --------------------------------------------------------------------

    @Test
    public void putWithReusedIdempotencyKeyReturnsTheSameVersion() {
        String p = path("idempotent");
        VersionInfo v1 = put(p, "live", PutOptions.current());
        String key = "run-" + randomId(16);

        VersionInfo first = put(p, "candidate", PutOptions.pending().withIdempotencyKey(key));
        VersionInfo again = put(p, "candidate", PutOptions.pending().withIdempotencyKey(key));

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(store().versions(p)).extracting(VersionInfo::id).containsExactly(v1.id(), first.id());
        assertThat(store().get(p, Selector.PENDING).value().asUtf8()).isEqualTo("candidate");

        VersionInfo other = put(p, "another run", PutOptions.pending().withIdempotencyKey(key + "-2"));
        assertThat(other.id()).isNotIn(v1.id(), first.id());
        assertThat(store().versions(p)).hasSize(3);
    }

    @Test
    public void putWithReusedIdempotencyKeyAndDifferentValueKeepsTheFirstVersion() {
        String p = path("idempotent-other-value");
        String key = "run-" + randomId(16);

        VersionInfo first = put(p, "first attempt", PutOptions.current().withIdempotencyKey(key));
        VersionInfo retry = put(p, "retried attempt", PutOptions.current().withIdempotencyKey(key));

        assertThat(retry.id()).isEqualTo(first.id());
        assertThat(store().versions(p)).extracting(VersionInfo::id).containsExactly(first.id());
        assertThat(store().get(p).value().asUtf8()).isEqualTo("first attempt");
    }

    // ---- values and tags ----------------------------------------------------------------

    @Test
    public void tagsRoundTripPerVersion() {
        assumeTrue(store().capabilities().tags(), "this store does not keep tags");
        String p = path("tagged");
        Map<String, String> t1 = Map.of("owner", "team-a", "rotation", "90d");
        Map<String, String> t2 = Map.of("owner", "team-b");

        VersionInfo v1 = put(p, "one", PutOptions.current().withTags(t1));
        VersionInfo v2 = put(p, "two", PutOptions.pending().withTags(t2));

        assertThat(v1.tags()).isEqualTo(t1);
        assertThat(v2.tags()).isEqualTo(t2);
        assertThat(store().get(p).version().tags()).isEqualTo(t1);
        assertThat(store().get(p, Selector.PENDING).version().tags()).isEqualTo(t2);
        assertThat(store().versions(p)).extracting(VersionInfo::tags).containsExactly(t1, t2);
    }

    @Test
    public void binaryValueWithAllByteValuesRoundTrips() {
        assumeTrue(store().capabilities().binaryValues(), "this store holds only UTF-8 text");
        String p = path("binary");
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }

        put(p, SecretValue.of(all), PutOptions.current());

        assertThat(store().get(p).value().bytes()).containsExactly(all);
    }

    @Test
    public void utf8TextWithMultiByteCharactersRoundTrips() {
        String p = path("utf8");
        String text = "Grüße aus Zürich – пароль – 東京 – 🔐🗝️ – 𝄞";

        put(p, SecretValue.ofUtf8(text), PutOptions.current());

        Secret s = store().get(p);
        assertThat(s.value().asUtf8()).isEqualTo(text);
        assertThat(s.value().bytes()).containsExactly(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    public void valueOfExactlyMaxValueBytesRoundTrips() {
        int max = store().capabilities().maxValueBytes();
        String p = path("largest");
        byte[] largest = filler(max, "largest-value-");

        put(p, SecretValue.of(largest), PutOptions.current());

        SecretValue back = store().get(p).value();
        assertThat(back.length()).isEqualTo(max);
        assertThat(back).isEqualTo(SecretValue.of(largest));
    }

    @Test
    public void valueOneByteOverMaxValueBytesIsRejectedNamingPathAndLimit() {
        int max = store().capabilities().maxValueBytes();
        String p = path("too-large");
        Canary canary = Canary.create();
        byte[] tooLarge = filler(max + 1, canary.text());

        Throwable thrown = catchThrowable(() -> put(p, SecretValue.of(tooLarge), PutOptions.current()));

        assertThat(thrown).as("put of maxValueBytes + 1 = %d bytes", max + 1)
                .isInstanceOfAny(RotorException.class, IllegalArgumentException.class)
                .hasMessageContaining(p)
                .hasMessageContaining(Integer.toString(max));
        LeakChecker.assertNoCanaryIn("the error for a too-large value", stackTrace(thrown), canary);
        assertNotFound(() -> store().get(p), p);
    }

    @Test
    public void emptyValueRoundTrips() {
        String p = path("empty");

        put(p, SecretValue.of(new byte[0]), PutOptions.current());

        assertThat(store().get(p).value().length()).isZero();
    }

    @Test
    public void destroyingValuesAfterPutOrGetLeavesTheStoredValueIntact() {
        String p = path("destroy");
        SecretValue original = SecretValue.ofUtf8("keep me");

        put(p, original, PutOptions.current());
        original.destroy();
        store().get(p).value().destroy();

        assertThat(store().get(p).value().asUtf8()).isEqualTo("keep me");
    }

    // ---- list and delete ----------------------------------------------------------------

    @Test
    public void listReturnsExactlyThePathsWithThePrefixSorted() {
        for (String name : List.of("list/b/c", "other/x", "list/a", "listing", "list/b/a")) {
            put(path(name), "v", PutOptions.current());
        }

        assertThat(store().list(path("list/"))).containsExactly(path("list/a"), path("list/b/a"), path("list/b/c"));
        assertThat(store().list(path("list"))).containsExactly(
                path("list/a"), path("list/b/a"), path("list/b/c"), path("listing"));
        assertThat(store().list(prefix())).containsExactly(
                path("list/a"), path("list/b/a"), path("list/b/c"), path("listing"), path("other/x"));
        assertThat(store().list(path("nothing-here/"))).isEmpty();
    }

    @Test
    public void listExcludesDeletedSecrets() {
        put(path("keep"), "v", PutOptions.current());
        put(path("drop"), "v", PutOptions.current());
        put(path("drop-too"), "v", PutOptions.pending());

        store().delete(path("drop"));
        store().delete(path("drop-too"));

        assertThat(store().list(prefix())).containsExactly(path("keep"));
    }

    @Test
    public void deleteRemovesEveryVersion() {
        String p = path("delete");
        put(p, "one", PutOptions.current());
        VersionInfo v2 = put(p, "two", PutOptions.current());
        put(p, "three", PutOptions.pending());

        store().delete(p);

        assertNotFound(() -> store().get(p), p);
        assertNotFound(() -> store().get(p, Selector.PREVIOUS), p);
        assertNotFound(() -> store().get(p, Selector.version(v2.id())), p);
        assertNotFound(() -> store().versions(p), p);
    }

    @Test
    public void deleteOfMissingSecretThrowsNotFoundNamingThePath() {
        String p = path("never-there");

        assertNotFound(() -> store().delete(p), p);
    }

    @Test
    public void putAfterDeleteStartsAFreshSecret() {
        String p = path("reborn");
        put(p, "old life", PutOptions.current());
        put(p, "old life 2", PutOptions.current());
        store().delete(p);

        VersionInfo fresh = put(p, "new life", PutOptions.current());

        assertThat(store().versions(p)).extracting(VersionInfo::id).containsExactly(fresh.id());
        assertThat(store().get(p).value().asUtf8()).isEqualTo("new life");
        assertNotFound(() -> store().get(p, Selector.PREVIOUS), p, "previous");
    }

    // ---- paths --------------------------------------------------------------------------

    private static final String[] BAD_CHARACTER = {"character", "not allowed", "invalid"};

    @Test
    public void pathWithSpaceIsRejectedOrRoundTrips() {
        checkOddPath("a space", path("with space"), BAD_CHARACTER);
    }

    @Test
    public void pathWithNonAsciiLettersIsRejectedOrRoundTrips() {
        checkOddPath("non-ASCII letters", path("pässwörd-東京"), BAD_CHARACTER);
    }

    @Test
    public void pathWithEmojiIsRejectedOrRoundTrips() {
        checkOddPath("an emoji", path("key-🔐"), BAD_CHARACTER);
    }

    @Test
    public void pathWithDotDotSegmentIsRejectedOrRoundTrips() {
        checkOddPath("a '..' segment", path("../escape"), "'..'", "segment", "dot");
    }

    @Test
    public void pathWithDotSegmentIsRejectedOrRoundTrips() {
        checkOddPath("a '.' segment", path("./here"), "'.'", "segment", "dot");
    }

    @Test
    public void pathWithDoubleSlashIsRejectedOrRoundTrips() {
        checkOddPath("'//'", path("a//b"), "empty", "segment", "'//'");
    }

    @Test
    public void pathWithLeadingSlashIsRejectedOrRoundTrips() {
        checkOddPath("a leading '/'", "/" + path("lead"), "leading", "empty", "segment");
    }

    @Test
    public void pathWithTrailingSlashIsRejectedOrRoundTrips() {
        checkOddPath("a trailing '/'", path("trail/"), "trailing", "empty", "segment");
    }

    @Test
    public void pathWithPercentEncodedSlashIsRejectedOrRoundTrips() {
        checkOddPath("'%2F'", path("a%2Fb"), "'%'", "character", "percent");
    }

    @Test
    public void pathWithBackslashIsRejectedOrRoundTrips() {
        checkOddPath("a backslash", path("a\\b"), "'\\'", "backslash", "character");
    }

    @Test
    public void pathWithNulIsRejectedOrRoundTrips() {
        checkOddPath("a NUL character", path("a\0b"), "\\u0000", "nul", "control", "character");
    }

    @Test
    public void pathWithNewlineIsRejectedOrRoundTrips() {
        checkOddPath("a newline", path("a\nb"), "\\u000a", "newline", "control", "character");
    }

    @Test
    public void emptyPathIsRejected() {
        checkOddPath("nothing", "", "empty");
    }

    @Test
    public void veryLongPathIsRejectedOrRoundTrips() {
        checkOddPath("2000 characters", path("x".repeat(2000 - prefix().length())), "long", "length");
    }

    /**
     * Either the store rejects the path, for put and get alike, with an
     * {@link InvalidSecretRefException} whose message holds one of {@code problemWords} and
     * stores nothing, or the secret round-trips under exactly that path.
     */
    private void checkOddPath(String what, String p, String... problemWords) {
        written.add(p);

        Throwable rejected = catchThrowable(() -> store().put(p, SecretValue.ofUtf8("odd path value"), PutOptions.current()));

        if (rejected != null) {
            assertThat(rejected).as("put to a path with %s", what).isInstanceOf(InvalidSecretRefException.class);
            assertThat(rejected.getMessage().toLowerCase(Locale.ROOT))
                    .as("the message must name the problem with a path with %s", what)
                    .containsAnyOf(problemWords);
            assertThatThrownBy(() -> store().get(p)).as("get of a path with %s", what)
                    .isInstanceOf(InvalidSecretRefException.class);
            assertThat(store().list(prefix())).as("nothing stored").isEmpty();
        } else {
            Secret back = store().get(p);
            assertThat(back.path()).as("path with %s read back", what).isEqualTo(p);
            assertThat(back.value().asUtf8()).isEqualTo("odd path value");
            assertThat(store().list(p)).as("list of a path with %s", what).containsExactly(p);
            assertThat(store().versions(p)).hasSize(1);
            store().delete(p);
            assertNotFound(() -> store().get(p), p);
        }
    }

    // ---- leaks --------------------------------------------------------------------------

    @Test
    public void canaryValueNeverAppearsInToStringsExceptionsOrLogs() {
        Canary current = Canary.create();
        Canary pending = Canary.create();
        Canary field = Canary.create();
        List<Canary> canaries = List.of(current, pending, field);
        Map<String, String> texts = new LinkedHashMap<>();
        List<Throwable> errors = new ArrayList<>();
        LeakChecker leaks = LeakChecker.start(canaries);
        leakCheckedFiles().forEach(leaks::watchFile);

        try (leaks) {
            SecretStore store = store();
            String p = path("canary");
            VersionInfo v1 = put(p, current.value(), PutOptions.current());
            VersionInfo v2 = put(p, pending.value(), PutOptions.pending().withTags(
                    store.capabilities().tags() ? Map.of("purpose", "leak-check") : Map.of()));
            Secret s = store.get(p);
            Secret sp = store.get(p, Selector.PENDING);
            texts.put("Secret.toString()", s + " " + sp);
            texts.put("SecretValue.toString()", s.value() + " " + sp.value());
            texts.put("VersionInfo.toString()", v1 + " " + v2 + " " + store.versions(p));
            texts.put("store.toString()", store.toString());
            texts.put("store.health()", String.valueOf(store.health()));

            int max = store.capabilities().maxValueBytes();
            errors.add(catchThrowable(() -> store.promote(p, v2.id(), v2.id())));
            errors.add(catchThrowable(() -> store.moveStage(p, Stage.PENDING, v1.id(), v1.id())));
            errors.add(catchThrowable(() -> store.get(p, Selector.version(missingVersionIds().get(0)))));
            errors.add(catchThrowable(() -> store.put(p, SecretValue.of(filler(max + 1, current.text())), PutOptions.current())));
            errors.add(catchThrowable(() -> store.put(path("bad path"), current.value(), PutOptions.current())));
            errors.add(catchThrowable(() -> s.value().field("password")));
            SecretValue json = SecretValue.ofFields(Map.of("password", field.text()));
            put(path("canary-json"), json, PutOptions.current());
            errors.add(catchThrowable(() -> store.get(path("canary-json")).value().field("username")));
            store.delete(p);
            errors.add(catchThrowable(() -> store.get(p)));
            texts.put("store.toString() after delete", store.toString());
        }

        List<Leak> found = new ArrayList<>(leaks.leaks());
        texts.forEach((where, text) -> found.addAll(LeakChecker.scan(where, text, canaries)));
        for (Throwable error : errors) {
            if (error != null) {
                found.addAll(LeakChecker.scan("exception " + error.getClass().getName(), stackTrace(error), canaries));
            }
        }
        assertThat(found).as("places where a secret value leaked").isEmpty();
    }

    // ---- health -------------------------------------------------------------------------

    @Test
    public void healthReportsTheStoreUp() {
        var health = store().health();

        assertThat(health.up()).as("health: %s", health.detail()).isTrue();
    }

    // ---- helpers ------------------------------------------------------------------------

    /** Puts through the store, remembering the path for cleanup. */
    protected final VersionInfo put(String p, SecretValue value, PutOptions options) {
        written.add(p);
        return store().put(p, value, options);
    }

    private VersionInfo put(String p, String text, PutOptions options) {
        return put(p, SecretValue.ofUtf8(text), options);
    }

    /** Version id to stages, oldest version first. */
    protected final Map<String, Set<Stage>> stagesById(String p) {
        Map<String, Set<Stage>> out = new LinkedHashMap<>();
        for (VersionInfo v : store().versions(p)) {
            out.put(v.id(), v.stages().isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(v.stages())));
        }
        return out;
    }

    private static void assertNotFound(ThrowingCallable call, String... named) {
        assertThatThrownBy(call).isInstanceOf(SecretNotFoundException.class).satisfies(e -> {
            for (String word : named) {
                assertThat(e.getMessage()).containsIgnoringCase(word);
            }
        });
    }

    private static byte[] filler(int length, String pattern) {
        byte[] unit = pattern.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = unit[i % unit.length];
        }
        return out;
    }

    private static String stackTrace(Throwable t) {
        StringWriter sw = new StringWriter();
        t.printStackTrace(new PrintWriter(sw));
        return sw.toString();
    }

    private static String randomId(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(ID_ALPHABET.charAt(RANDOM.nextInt(ID_ALPHABET.length())));
        }
        return sb.toString();
    }
}
