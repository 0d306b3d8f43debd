package dev.rotor.azure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.azure.security.keyvault.secrets.SecretClient;
import dev.rotor.ConflictException;
import dev.rotor.ProviderUnavailableException;
import dev.rotor.PutOptions;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Movers in different processes, which Key Vault cannot make take turns. Each "process" is a
 * store with its own {@link MoveLocks}; the fake's request hook interleaves their requests in the
 * orders that matter. In every order exactly one mover wins, the loser gets
 * {@link ConflictException}, and the secret ends in the winner's state.
 */
class AzureRaceIT {

    private static final long WAIT_SECONDS = 30;

    private static FakeKeyVaultServer server;
    private static SecretClient plain;

    private AzureSecretStore processA;
    private AzureSecretStore processB;
    private String p;
    private String mainName;
    private String v1;
    private String a;
    private String b;

    @BeforeAll
    static void start() {
        server = FakeKeyVaultServer.start();
        plain = FakeVault.client(server, new StaticTokenCredential(server.token()));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    @BeforeEach
    void twoProcessesAndACandidateEach() {
        processA = FakeVault.store("azure", server, AzureStoreSettings.of(server.vaultUrl()), new MoveLocks(4));
        processB = FakeVault.store("azure", server, AzureStoreSettings.of(server.vaultUrl()), new MoveLocks(4));
        p = "race/" + UUID.randomUUID().toString().substring(0, 8);
        mainName = AzureNames.secretName(p);
        v1 = processA.put(p, SecretValue.ofUtf8("start"), PutOptions.current()).id();
        a = processA.put(p, SecretValue.ofUtf8("candidate a"), PutOptions.pending()).id();
        b = processB.put(p, SecretValue.ofUtf8("candidate b"), PutOptions.pending()).id();
    }

    @AfterEach
    void noHook() {
        server.onRequest(null);
    }

    private boolean isWriteOfMain(String method, String path) {
        return method.equals("PUT") && path.equals("/secrets/" + mainName);
    }

    private boolean isListOfMain(String method, String path) {
        return method.equals("GET") && path.equals("/secrets/" + mainName + "/versions");
    }

    @Test
    void aRivalThatMovedFirstWinsAndTheLaterWriterUndoesItself() {
        // B runs its whole promotion after A has checked CURRENT but before A's write lands.
        AtomicInteger writes = new AtomicInteger();
        AtomicReference<Throwable> bFailure = new AtomicReference<>();
        server.onRequest((method, path) -> {
            if (isWriteOfMain(method, path) && writes.incrementAndGet() == 1) {
                bFailure.set(catchThrowable(() -> processB.promote(p, b, v1)));
            }
        });

        Throwable aFailure = catchThrowable(() -> processA.promote(p, a, v1));

        assertThat(bFailure.get()).as("B moved first and won").isNull();
        assertThat(aFailure).isInstanceOf(ConflictException.class).hasMessageContaining(p).hasMessageContaining("undone");
        assertWinner(b, "candidate b", a);
    }

    @Test
    void theFirstWriterWinsWhenTheRivalReadBeforeItsWriteAndWroteAfterItsCheck() {
        CountDownLatch bWriteArrived = new CountDownLatch(1);
        CountDownLatch aFinished = new CountDownLatch(1);
        AtomicInteger writes = new AtomicInteger();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        AtomicReference<Future<Throwable>> bResult = new AtomicReference<>();
        server.onRequest((method, path) -> {
            if (!isWriteOfMain(method, path)) {
                return;
            }
            int n = writes.incrementAndGet();
            if (n == 1) {
                // A's write: let B read the old state and send its write, then let A's land.
                bResult.set(pool.submit(() -> catchThrowable(() -> processB.promote(p, b, v1))));
                await(bWriteArrived);
            } else if (n == 2) {
                // B's write: hold it until A has checked for rivals and returned.
                bWriteArrived.countDown();
                await(aFinished);
            }
        });
        try {
            Throwable aFailure = catchThrowable(() -> processA.promote(p, a, v1));
            aFinished.countDown();
            Throwable bFailure = bResult.get().get(WAIT_SECONDS, TimeUnit.SECONDS);

            assertThat(aFailure).as("A wrote first and saw no rival").isNull();
            assertThat(bFailure).isInstanceOf(ConflictException.class).hasMessageContaining(p);
            assertWinner(a, "candidate a", b);
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            aFinished.countDown();
            pool.shutdownNow();
        }
    }

    @Test
    void whenBothWritesLandBeforeEitherCheckTheFirstStillWins() {
        CountDownLatch bWriteArrived = new CountDownLatch(1);
        CountDownLatch aListing = new CountDownLatch(1);
        CountDownLatch bListing = new CountDownLatch(1);
        AtomicInteger writes = new AtomicInteger();
        AtomicInteger lists = new AtomicInteger();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        AtomicReference<Future<Throwable>> bResult = new AtomicReference<>();
        server.onRequest((method, path) -> {
            if (isWriteOfMain(method, path)) {
                int n = writes.incrementAndGet();
                if (n == 1) {
                    bResult.set(pool.submit(() -> catchThrowable(() -> processB.promote(p, b, v1))));
                    await(bWriteArrived);
                } else if (n == 2) {
                    bWriteArrived.countDown();
                    // B's write lands only once A's has (A is already checking for rivals)
                    await(aListing);
                }
            } else if (isListOfMain(method, path)) {
                int n = lists.incrementAndGet();
                if (n == 1) {
                    aListing.countDown();
                    // A checks only once B's write has landed too (B is checking as well)
                    await(bListing);
                } else if (n == 2) {
                    bListing.countDown();
                }
            }
        });
        try {
            Throwable aFailure = catchThrowable(() -> processA.promote(p, a, v1));
            Throwable bFailure = bResult.get().get(WAIT_SECONDS, TimeUnit.SECONDS);

            assertThat(aFailure).as("A's write landed first").isNull();
            assertThat(bFailure).isInstanceOf(ConflictException.class);
            assertWinner(a, "candidate a", b);
        } catch (Exception e) {
            throw new AssertionError(e);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aLoserThatCrashedBeforeUndoingItselfIsRepairedByTheNextReaderOfTheVersions() {
        AtomicInteger writes = new AtomicInteger();
        server.onRequest((method, path) -> {
            if (isWriteOfMain(method, path)) {
                int n = writes.incrementAndGet();
                if (n == 1) {
                    catchThrowable(() -> processB.promote(p, b, v1));
                } else if (n == 3) {
                    // A's repair: A "crashes" before it lands
                    throw new IllegalStateException("process A crashed");
                }
            }
        });

        Throwable aFailure = catchThrowable(() -> processA.promote(p, a, v1));
        server.onRequest(null);

        assertThat(aFailure).isInstanceOf(ProviderUnavailableException.class);
        // the window the docs describe: until repaired, the loser's value is the latest version
        assertThat(plain.getSecret(mainName).getValue()).isEqualTo("candidate a");
        AzureSecretStore processC = FakeVault.store("azure", server, AzureStoreSettings.of(server.vaultUrl()), new MoveLocks(4));
        Map<String, Set<Stage>> stages = stagesById(processC.versions(p));
        assertThat(stages.get(b)).containsExactly(Stage.CURRENT);
        assertThat(plain.getSecret(mainName).getValue()).isEqualTo("candidate b");
        assertWinner(b, "candidate b", a);
    }

    @Test
    void aPromotionInterruptedBeforeItClearsPendingLeavesNoStalePending() {
        String pendingPath = "/secrets/" + AzureNames.pendingName(p);
        server.onRequest((method, path) -> {
            if (method.equals("PUT") && path.equals(pendingPath)) {
                throw new IllegalStateException("crashed between the two writes");
            }
        });

        Throwable failure = catchThrowable(() -> processA.promote(p, b, v1));
        server.onRequest(null);

        assertThat(failure).isInstanceOf(ProviderUnavailableException.class);
        assertThat(plain.getSecret(mainName).getValue()).isEqualTo("candidate b");
        assertThat(catchThrowable(() -> processA.get(p, Selector.PENDING))).isInstanceOf(SecretNotFoundException.class);
        assertThat(stagesById(processA.versions(p))).containsExactly(
                Map.entry(v1, Set.of(Stage.PREVIOUS)), Map.entry(a, Set.of()), Map.entry(b, Set.of(Stage.CURRENT)));
        VersionInfo next = processA.put(p, SecretValue.ofUtf8("next"), PutOptions.pending());
        assertThat(processA.get(p, Selector.PENDING).version().id()).isEqualTo(next.id());
    }

    @Test
    void aPendingMoveThatLostARaceIsUndone() {
        AtomicInteger writes = new AtomicInteger();
        String pendingPath = "/secrets/" + AzureNames.pendingName(p);
        AtomicReference<Throwable> bFailure = new AtomicReference<>();
        server.onRequest((method, path) -> {
            if (method.equals("PUT") && path.equals(pendingPath) && writes.incrementAndGet() == 1) {
                bFailure.set(catchThrowable(() -> processB.moveStage(p, Stage.PENDING, null, b)));
            }
        });

        Throwable aFailure = catchThrowable(() -> processA.moveStage(p, Stage.PENDING, a, b));

        assertThat(bFailure.get()).isNull();
        assertThat(aFailure).isInstanceOf(ConflictException.class).hasMessageContaining("PENDING");
        assertThat(catchThrowable(() -> processA.get(p, Selector.PENDING))).as("B's removal of PENDING stands")
                .isInstanceOf(SecretNotFoundException.class);
    }

    @Test
    void twoStoresInOneProcessTakeTurnsExactly() throws Exception {
        AzureSecretStore one = FakeVault.store("azure", server);
        AzureSecretStore two = FakeVault.store("azure", server);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 5; round++) {
                String q = p + "/round-" + round;
                String start = one.put(q, SecretValue.ofUtf8("start"), PutOptions.current()).id();
                String x = one.put(q, SecretValue.ofUtf8("x"), PutOptions.pending()).id();
                String y = two.put(q, SecretValue.ofUtf8("y"), PutOptions.pending()).id();
                CyclicBarrier together = new CyclicBarrier(2);
                CompletableFuture<Throwable> fx = CompletableFuture.supplyAsync(() -> {
                    await(together);
                    return catchThrowable(() -> one.promote(q, x, start));
                }, pool);
                CompletableFuture<Throwable> fy = CompletableFuture.supplyAsync(() -> {
                    await(together);
                    return catchThrowable(() -> two.promote(q, y, start));
                }, pool);
                List<Throwable> outcomes = java.util.Arrays.asList(
                        fx.get(WAIT_SECONDS, TimeUnit.SECONDS), fy.get(WAIT_SECONDS, TimeUnit.SECONDS));

                assertThat(outcomes).as("round %d", round).filteredOn(t -> t == null).hasSize(1);
                assertThat(outcomes).filteredOn(t -> t != null).singleElement().isInstanceOf(ConflictException.class);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private void assertWinner(String winner, String value, String loser) {
        AzureSecretStore fresh = FakeVault.store("azure", server, AzureStoreSettings.of(server.vaultUrl()), new MoveLocks(4));
        assertThat(plain.getSecret(mainName).getValue()).as("what a plain reader sees").isEqualTo(value);
        assertThat(fresh.get(p).version().id()).isEqualTo(winner);
        Map<String, Set<Stage>> stages = stagesById(fresh.versions(p));
        assertThat(stages.get(winner)).containsExactly(Stage.CURRENT);
        assertThat(stages.get(v1)).containsExactly(Stage.PREVIOUS);
        assertThat(stages.get(loser)).doesNotContain(Stage.CURRENT, Stage.PREVIOUS);
        assertThat(stages.keySet()).containsExactly(v1, a, b);
    }

    private static Map<String, Set<Stage>> stagesById(List<VersionInfo> versions) {
        Map<String, Set<Stage>> out = new LinkedHashMap<>();
        versions.forEach(v -> out.put(v.id(), v.stages()));
        return out;
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                throw new IllegalStateException("the interleaving did not happen in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
