package dev.rotor.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.rotor.api.internal.PrometheusText;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    private final MetricRegistry registry = new MetricRegistry();

    @Test
    void writesEachKindInTheTextFormat() {
        registry.counter("rotor.rotations.failed").inc(2);
        registry.meter("rotor.store.gets").mark(5);
        registry.register("rotor.secret.age-days", (Gauge<Integer>) () -> 42);
        registry.register("rotor.ready", (Gauge<Boolean>) () -> true);
        registry.register("rotor.label", (Gauge<String>) () -> "not a number");
        registry.histogram("rotor.batch.size").update(7);
        registry.timer("rotor.rotation.step").update(Duration.ofMillis(1500));

        String text = PrometheusText.format(registry);

        assertThat(text).contains("# TYPE rotor_rotations_failed gauge\nrotor_rotations_failed 2\n");
        assertThat(text).contains("# TYPE rotor_store_gets_total counter\nrotor_store_gets_total 5\n");
        assertThat(text).contains("rotor_secret_age_days 42\n");
        assertThat(text).contains("rotor_ready 1\n");
        assertThat(text).doesNotContain("rotor_label");
        assertThat(text).contains("# TYPE rotor_batch_size summary\n").contains("rotor_batch_size{quantile=\"0.5\"} 7\n")
                .contains("rotor_batch_size_count 1\n");
        assertThat(text).contains("rotor_rotation_step_seconds{quantile=\"0.99\"} 1.5\n").contains("rotor_rotation_step_seconds_count 1\n");
        assertThat(text).endsWith("\n");
    }

    @Test
    void everyLineIsACommentOrAValidSample() {
        registry.counter("9 odd/name{x}").inc();
        registry.timer("t").update(Duration.ofNanos(3));
        registry.register("nan", (Gauge<Double>) () -> Double.NaN);
        registry.register("inf", (Gauge<Double>) () -> Double.NEGATIVE_INFINITY);
        registry.register("broken", (Gauge<Integer>) () -> {
            throw new IllegalStateException("gauge failed");
        });
        for (String line : PrometheusText.format(registry).split("\n")) {
            assertThat(line).matches("# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (gauge|counter|summary)"
                    + "|[a-zA-Z_:][a-zA-Z0-9_:]*(\\{quantile=\"[0-9.]+\"\\})? (NaN|[+-]Inf|-?[0-9.]+(E-?[0-9]+)?)");
        }
        assertThat(PrometheusText.format(registry)).contains("_9_odd_name_x_ 1\n").contains("nan NaN\n").contains("inf -Inf\n");
    }

    @Test
    void anEmptyRegistryIsAnEmptyPage() {
        assertThat(PrometheusText.format(registry)).isEmpty();
    }
}
