package dev.rotor.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
        "250ms, PT0.25S",
        "30s, PT30S",
        "5m, PT5M",
        "12h, PT12H",
        "90d, PT2160H",
        "0s, PT0S",
        "' 5m ', PT5M",
        "PT5M, PT5M",
        "pt90s, PT1M30S",
        "P90D, PT2160H",
        "P1DT12H, PT36H",
    })
    void parsesShortAndIsoForms(String text, String iso) {
        assertThat(Durations.parse(text)).isEqualTo(Duration.parse(iso));
    }

    @ParameterizedTest
    @ValueSource(strings = {"5", "300"})
    void numberWithoutUnitIsRejectedSayingSo(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "' has no unit")
                .hasMessageContaining("30s");
    }

    @ParameterizedTest
    @ValueSource(strings = {"5x", "m5", "5 m", "1.5h", "-5m", "five minutes", "5M"})
    void garbageIsRejectedQuotingTheText(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "' is not a duration")
                .hasMessageContaining("ISO-8601");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT", "P5X", "PTM"})
    void badIsoIsRejected(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not an ISO-8601 duration");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   "})
    void emptyIsRejected(String text) {
        assertThatThrownBy(() -> Durations.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("duration is empty");
    }

    @org.junit.jupiter.api.Test
    void overflowIsRejectedNotWrapped() {
        assertThatThrownBy(() -> Durations.parse("999999999999999999d"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too long");
    }

    @ParameterizedTest
    @ValueSource(strings = {"250ms", "1500ms", "30s", "90s", "5m", "12h", "90d", "0s"})
    void formatGivesTheShortestFormThatParsesBack(String text) {
        Duration d = Durations.parse(text);
        String formatted = Durations.format(d);
        assertThat(Durations.parse(formatted)).isEqualTo(d);
        assertThat(formatted.length()).isLessThanOrEqualTo(text.length());
    }

    @org.junit.jupiter.api.Test
    void formatUsesTheLargestExactUnit() {
        assertThat(Durations.format(Duration.ofHours(48))).isEqualTo("2d");
        assertThat(Duration.ofMinutes(90)).satisfies(d -> assertThat(Durations.format(d)).isEqualTo("90m"));
        assertThat(Durations.format(Duration.ofNanos(5))).isEqualTo("PT0.000000005S");
    }
}
