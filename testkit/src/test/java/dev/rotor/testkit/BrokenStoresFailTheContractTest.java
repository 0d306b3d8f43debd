package dev.rotor.testkit;

import dev.rotor.spi.ForwardingSecretStore;
import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.Capabilities;
import dev.rotor.InvalidSecretRefException;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretStore;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import dev.rotor.memory.InMemorySecretStore;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs {@link SecretStoreContract} against stores that are broken on purpose, each in one
 * way, and checks that exactly the cases covering that behaviour fail. The broken contracts
 * are nested classes, so the build does not run them on their own.
 */
class BrokenStoresFailTheContractTest {

    private static final String CANARY_TEXT = "canary-[A-Za-z0-9]{24}";

    @Test
    void faithfulForwardingStorePassesEveryCase() {
        JUnitRun run = JUnitRun.of(Faithful.class);

        assertThat(run.failedMethods()).as(run.describe()).isEmpty();
        assertThat(run.passedMethods()).isEqualTo(contractCases());
    }

    @Test
    void storeAcceptingAnyPathPassesEveryCaseByRoundTrippingOddPaths() {
        JUnitRun run = JUnitRun.of(AcceptsAnyPath.class);

        assertThat(run.failedMethods()).as(run.describe()).isEmpty();
        assertThat(run.passedMethods()).isEqualTo(contractCases());
    }

    @Test
    void storeRewritingSlashesInPathsFailsTheSlashCases() {
        assertOnlyTheseFail(RewritesSlashes.class,
                "pathWithDoubleSlashIsRejectedOrRoundTrips",
                "pathWithLeadingSlashIsRejectedOrRoundTrips",
                "pathWithTrailingSlashIsRejectedOrRoundTrips");
    }

    @Test
    void promoteIgnoringTheExpectedVersionFailsTheCompareAndSetCases() {
        assertOnlyTheseFail(PromoteIgnoresExpectedVersion.class,
                "promoteWithStaleExpectedCurrentThrowsConflictAndMovesNothing",
                "concurrentPromotersWithTheSameExpectedCurrentExactlyOneWins");
    }

    @Test
    void moveStageIgnoringTheExpectedVersionFailsTheStaleMoveCase() {
        assertOnlyTheseFail(MoveStageIgnoresExpectedVersion.class,
                "moveStageWithStaleExpectedVersionThrowsConflictAndMovesNothing");
    }

    @Test
    void pendingFallingBackToCurrentFailsTheMissingPendingCases() {
        assertOnlyTheseFail(PendingFallsBackToCurrent.class,
                "getOfMissingPendingThrowsNotFoundNamingPathAndStage",
                "promoteMakesPendingCurrentMovesOldCurrentToPreviousAndClearsPending",
                "moveStageToNoVersionRemovesPending");
    }

    @Test
    void ignoringIdempotencyKeysFailsTheIdempotencyCases() {
        assertOnlyTheseFail(IgnoresIdempotencyKey.class,
                "putWithReusedIdempotencyKeyReturnsTheSameVersion",
                "putWithReusedIdempotencyKeyAndDifferentValueKeepsTheFirstVersion");
    }

    @Test
    void acceptingMoreThanMaxValueBytesFailsTheTooLargeCase() {
        assertOnlyTheseFail(UnderstatesMaxValueBytes.class,
                "valueOneByteOverMaxValueBytesIsRejectedNamingPathAndLimit");
    }

    @Test
    void unsortedListFailsTheListCase() {
        assertOnlyTheseFail(ListsUnsorted.class, "listReturnsExactlyThePathsWithThePrefixSorted");
    }

    @Test
    void valueInAnExceptionMessageFailsTheLeakCase() {
        JUnitRun run = assertOnlyTheseFail(ExceptionsQuoteTheValue.class, "canaryValueNeverAppearsInToStringsExceptionsOrLogs");

        assertLeakReported(run, "exception " + InvalidSecretRefException.class.getName());
    }

    @Test
    void valueInALogLineFailsTheLeakCase() {
        JUnitRun run = assertOnlyTheseFail(LogsTheValue.class, "canaryValueNeverAppearsInToStringsExceptionsOrLogs");

        assertLeakReported(run, "log event of logger '" + LoggingStore.class.getName() + "' at DEBUG");
    }

    @Test
    void valueInTheStoresToStringFailsTheLeakCase() {
        JUnitRun run = assertOnlyTheseFail(ToStringShowsTheValue.class, "canaryValueNeverAppearsInToStringsExceptionsOrLogs");

        assertLeakReported(run, "store.toString()");
    }

    private static JUnitRun assertOnlyTheseFail(Class<? extends SecretStoreContract> contract, String... expected) {
        JUnitRun run = JUnitRun.of(contract);
        assertThat(run.failedMethods()).as(run.describe()).containsExactlyInAnyOrder(expected);
        Set<String> rest = contractCases();
        rest.removeAll(Set.of(expected));
        assertThat(run.passedMethods()).as("every other case runs and passes").isEqualTo(rest);
        return run;
    }

    private static void assertLeakReported(JUnitRun run, String source) {
        String report = run.failureOf("canaryValueNeverAppearsInToStringsExceptionsOrLogs").getMessage();
        assertThat(report).contains(source).contains("<canary:text>");
        assertThat(report).as("the report masks the canary").doesNotContainPattern(CANARY_TEXT);
    }

    /** Every test method the contract declares, found by reflection. */
    private static Set<String> contractCases() {
        return Arrays.stream(SecretStoreContract.class.getDeclaredMethods())
                .filter(m -> m.isAnnotationPresent(Test.class) || m.isAnnotationPresent(ParameterizedTest.class))
                .map(Method::getName)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    // ---- the broken stores --------------------------------------------------------------

    static final class PromoteWithoutCompareAndSet extends ForwardingSecretStore {
        PromoteWithoutCompareAndSet(SecretStore delegate) {
            super(delegate);
        }

        @Override
        public VersionInfo promote(String path, String versionId, @Nullable String expectedCurrentVersionId) {
            return delegate.promote(path, versionId, null);
        }
    }

    static final class MoveStageWithoutCompareAndSet extends ForwardingSecretStore {
        MoveStageWithoutCompareAndSet(SecretStore delegate) {
            super(delegate);
        }

        @Override
        public void moveStage(String path, Stage stage, @Nullable String versionId, @Nullable String expectedVersionId) {
            delegate.moveStage(path, stage, versionId, null);
        }
    }

    /** The classic bug of a store without native stages: "no PENDING" read as "the latest". */
    static final class PendingFallbackStore extends ForwardingSecretStore {
        PendingFallbackStore(SecretStore delegate) {
            super(delegate);
        }

        @Override
        public Secret get(String path, Selector selector) {
            try {
                return delegate.get(path, selector);
            } catch (SecretNotFoundException e) {
                if (selector.equals(Selector.PENDING)) {
                    return delegate.get(path, Selector.CURRENT);
                }
                throw e;
            }
        }
    }

    static final class IdempotencyKeyDropped extends ForwardingSecretStore {
        IdempotencyKeyDropped(SecretStore delegate) {
            super(delegate);
        }

        @Override
        public VersionInfo put(String path, SecretValue value, PutOptions options) {
            return delegate.put(path, value, options.withIdempotencyKey(null));
        }
    }

    /** Claims half the real limit, so a value one byte over the claim is still accepted. */
    static final class HalfLimitStore extends ForwardingSecretStore {
        HalfLimitStore(SecretStore delegate) {
            super(delegate);
        }

        @Override
        public Capabilities capabilities() {
            Capabilities real = delegate.capabilities();
            return new Capabilities(real.maxValueBytes() / 2, real.binaryValues(), real.nativeStages(), real.tags());
        }
    }

    static final class ReversedListStore extends ForwardingSecretStore {
        ReversedListStore(SecretStore delegate) {
            super(delegate);
        }

        @Override
        public List<String> list(String prefix) {
            return delegate.list(prefix).reversed();
        }
    }

    static final class QuotingStore extends ForwardingSecretStore {
        QuotingStore(SecretStore delegate) {
            super(delegate);
        }

        @Override
        public VersionInfo put(String path, SecretValue value, PutOptions options) {
            try {
                return delegate.put(path, value, options);
            } catch (InvalidSecretRefException e) {
                throw new InvalidSecretRefException(e.ref(), "refusing value '" + new String(value.bytes(), StandardCharsets.UTF_8)
                        + "': " + e.getMessage(), e.position());
            }
        }
    }

    static final class LoggingStore extends ForwardingSecretStore {
        private static final Logger log = LoggerFactory.getLogger(LoggingStore.class);

        LoggingStore(SecretStore delegate) {
            super(delegate);
        }

        @Override
        public VersionInfo put(String path, SecretValue value, PutOptions options) {
            String text = new String(value.bytes(), StandardCharsets.UTF_8);
            log.debug("put {} = {}", path, text.length() > 100 ? text.substring(0, 100) + "..." : text);
            return delegate.put(path, value, options);
        }
    }

    static final class RememberingStore extends ForwardingSecretStore {
        private volatile String last = "";

        RememberingStore(SecretStore delegate) {
            super(delegate);
        }

        @Override
        public VersionInfo put(String path, SecretValue value, PutOptions options) {
            last = new String(value.bytes(), StandardCharsets.UTF_8);
            return delegate.put(path, value, options);
        }

        @Override
        public String toString() {
            return "RememberingStore[last put: " + last + "]";
        }
    }

    /** Keeps "/a//b/" as "a/b": the stored secret no longer has the path it was written under. */
    static final class SlashCollapsingStore extends AnyPathStore {
        SlashCollapsingStore(SecretStore delegate) {
            super(delegate);
        }

        @Override
        protected String canonical(String path) {
            String collapsed = path.replaceAll("/{2,}", "/").replaceAll("^/|/$", "");
            return collapsed.isEmpty() ? path : collapsed;
        }
    }

    // ---- the contract run against each ---------------------------------------------------

    static final class AcceptsAnyPath extends SecretStoreContract {
        private final SecretStore store = new AnyPathStore(new InMemorySecretStore("contract"));

        @Override
        protected SecretStore store() {
            return store;
        }
    }

    static final class RewritesSlashes extends SecretStoreContract {
        private final SecretStore store = new SlashCollapsingStore(new InMemorySecretStore("contract"));

        @Override
        protected SecretStore store() {
            return store;
        }
    }

    static final class Faithful extends SecretStoreContract {
        private final SecretStore store = new ForwardingSecretStore(new InMemorySecretStore("contract"));

        @Override
        protected SecretStore store() {
            return store;
        }
    }

    static final class PromoteIgnoresExpectedVersion extends SecretStoreContract {
        private final SecretStore store = new PromoteWithoutCompareAndSet(new InMemorySecretStore("contract"));

        @Override
        protected SecretStore store() {
            return store;
        }
    }

    static final class MoveStageIgnoresExpectedVersion extends SecretStoreContract {
        private final SecretStore store = new MoveStageWithoutCompareAndSet(new InMemorySecretStore("contract"));

        @Override
        protected SecretStore store() {
            return store;
        }
    }

    static final class PendingFallsBackToCurrent extends SecretStoreContract {
        private final SecretStore store = new PendingFallbackStore(new InMemorySecretStore("contract"));

        @Override
        protected SecretStore store() {
            return store;
        }
    }

    static final class IgnoresIdempotencyKey extends SecretStoreContract {
        private final SecretStore store = new IdempotencyKeyDropped(new InMemorySecretStore("contract"));

        @Override
        protected SecretStore store() {
            return store;
        }
    }

    static final class UnderstatesMaxValueBytes extends SecretStoreContract {
        private final SecretStore store = new HalfLimitStore(new InMemorySecretStore("contract"));

        @Override
        protected SecretStore store() {
            return store;
        }
    }

    static final class ListsUnsorted extends SecretStoreContract {
        private final SecretStore store = new ReversedListStore(new InMemorySecretStore("contract"));

        @Override
        protected SecretStore store() {
            return store;
        }
    }

    static final class ExceptionsQuoteTheValue extends SecretStoreContract {
        private final SecretStore store = new QuotingStore(new InMemorySecretStore("contract"));

        @Override
        protected SecretStore store() {
            return store;
        }
    }

    static final class LogsTheValue extends SecretStoreContract {
        private final SecretStore store = new LoggingStore(new InMemorySecretStore("contract"));

        @Override
        protected SecretStore store() {
            return store;
        }
    }

    static final class ToStringShowsTheValue extends SecretStoreContract {
        private final SecretStore store = new RememberingStore(new InMemorySecretStore("contract"));

        @Override
        protected SecretStore store() {
            return store;
        }
    }
}
