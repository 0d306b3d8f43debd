package dev.rotor.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class CompletionTest {

    @Test
    void theWaiterLearnsSuccessOrTheFailure() throws Exception {
        Completion ok = new Completion();
        Completion failed = new Completion();
        IOException why = new IOException("disk full");
        CompletableFuture<Throwable> okWaiter = CompletableFuture.supplyAsync(ok::await);
        CompletableFuture<Throwable> failedWaiter = CompletableFuture.supplyAsync(failed::await);

        ok.finish(null);
        failed.finish(why);

        assertThat(okWaiter.get(10, TimeUnit.SECONDS)).isNull();
        assertThat(failedWaiter.get(10, TimeUnit.SECONDS)).isSameAs(why);
    }

    @Test
    void anInterruptDoesNotEndTheWaitAndIsKept() throws Exception {
        Completion c = new Completion();
        Thread.currentThread().interrupt();
        c.finish(null);

        assertThat(c.await()).isNull();
        assertThat(Thread.interrupted()).as("interrupt status restored (and cleared here)").isTrue();
    }

    @Test
    void anInterruptedWaiterStillWaitsForTheWriter() throws Exception {
        Completion c = new Completion();
        CompletableFuture<Boolean> interruptedAfter = new CompletableFuture<>();
        Thread waiter = Thread.ofPlatform().start(() -> {
            c.await();
            interruptedAfter.complete(Thread.currentThread().isInterrupted());
        });
        waiter.interrupt();
        // The waiter is still blocked: an interrupt alone does not release it.
        assertThat(waiter.join(java.time.Duration.ofMillis(200))).isFalse();
        c.finish(null);

        assertThat(interruptedAfter.get(10, TimeUnit.SECONDS)).isTrue();
    }
}
