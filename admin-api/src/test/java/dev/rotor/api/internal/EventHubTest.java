package dev.rotor.api.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.rotor.rotation.RotationEvent;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class EventHubTest {

    private static RotationEvent.Succeeded succeeded(String version) {
        return new RotationEvent.Succeeded("run", "main", "db/app", Instant.EPOCH, "test", null, version, false, false);
    }

    @Test
    void aClientThatFallsBehindIsDroppedWithoutHoldingUpTheOthers() throws InterruptedException {
        EventHub hub = new EventHub(4, Duration.ofHours(1));
        EventHub.Client slow = hub.connect();
        EventHub.Client fast = hub.connect();
        for (int i = 1; i <= 10; i++) {
            hub.onEvent(succeeded("v" + i));
            assertThat(new String(fast.next(), StandardCharsets.UTF_8)).contains("\"version\":\"v" + i + "\"");
        }

        assertThat(slow.dropped()).isTrue();
        assertThat(slow.next()).isNull();
        assertThat(fast.dropped()).isFalse();
        assertThat(hub.clientCount()).isEqualTo(1);
    }

    @Test
    void onlyPromotionsAndRetirementsAreStreamed() throws InterruptedException {
        EventHub hub = new EventHub(8, Duration.ofMillis(1));
        EventHub.Client c = hub.connect();
        hub.onEvent(new RotationEvent.Retired("run", "main", "db/app", Instant.EPOCH, "test", "v1", "v2", "v1", "emergency"));
        hub.onEvent(new RotationEvent.Started("run", "main", "db/app", Instant.EPOCH, "test", "v1", "v1", false, null, "ops", null));

        assertThat(new String(c.next(), StandardCharsets.UTF_8))
                .isEqualTo("id: 1\nevent: rotated\ndata: {\"ref\":\"secret://main/db/app\",\"version\":\"v2\"}\n\n");
        assertThat(new String(c.next(), StandardCharsets.UTF_8)).isEqualTo(": heartbeat\n\n");
    }

    @Test
    void closingEndsEveryStream() throws InterruptedException {
        EventHub hub = new EventHub(8, Duration.ofHours(1));
        EventHub.Client c = hub.connect();
        hub.close();

        assertThat(c.next()).isNull();
        assertThat(hub.connect().next()).isNull();
    }
}
