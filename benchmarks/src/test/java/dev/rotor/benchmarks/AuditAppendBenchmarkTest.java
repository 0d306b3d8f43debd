package dev.rotor.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.audit.AuditLogVerifier;
import dev.rotor.audit.AuditVerification;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * {@link AuditAppendBenchmark} appends durable, chained events from concurrent threads to a log in
 * a temporary directory that its teardown removes. Measures nothing.
 */
class AuditAppendBenchmarkTest {

    private static final int THREADS = 4;
    private static final int APPENDS_PER_THREAD = 25;

    @Test
    void concurrentBenchmarkCallsAppendOneChainedLineEach() throws Exception {
        AuditAppendBenchmark benchmark = new AuditAppendBenchmark();
        AuditAppendBenchmark.Sink sink = new AuditAppendBenchmark.Sink();
        sink.open();
        Path file = sink.file();
        try {
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    done.add(pool.submit(() -> {
                        AuditAppendBenchmark.Event event = new AuditAppendBenchmark.Event();
                        event.create();
                        for (int i = 0; i < APPENDS_PER_THREAD; i++) {
                            benchmark.durableAppend(sink, event);
                        }
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
            sink.sink().close();

            AuditVerification verification = AuditLogVerifier.verify(file);
            assertThat(verification.ok()).isTrue();
            assertThat(verification.lastSeq()).isEqualTo(THREADS * APPENDS_PER_THREAD);
            assertThat(Files.readAllLines(file)).hasSize(THREADS * APPENDS_PER_THREAD);
        } finally {
            sink.close();
        }
        assertThat(file.getParent()).doesNotExist();
    }
}
