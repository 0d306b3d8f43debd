package dev.rotor.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.rotor.AuditUnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class StdoutAuditSinkTest {

    @Test
    void writesOneJsonObjectPerEventAndLine() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<AuditEvent> events = List.of(TestEvents.event(1), TestEvents.event(2), TestEvents.event(3));
        try (StdoutAuditSink sink = new StdoutAuditSink(new PrintStream(bytes, false, StandardCharsets.UTF_8))) {
            sink.append(events.get(0));
            sink.appendAll(events.subList(1, 3));
            sink.appendAll(List.of());
        }

        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(out).endsWith("\n");
        assertThat(out.lines().map(AuditEventCodec::parse).toList()).isEqualTo(events);
    }

    @Test
    void aStreamThatFailsMakesAppendFailClosed() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };
        StdoutAuditSink sink = new StdoutAuditSink(new PrintStream(broken, false, StandardCharsets.UTF_8));

        assertThatThrownBy(() -> sink.append(TestEvents.event(1)))
                .isInstanceOf(AuditUnavailableException.class)
                .hasMessageContaining("write error")
                .hasMessageContaining("1 event was not recorded");
    }

    @Test
    void theDefaultSinkDescribesItselfAsStdout() {
        assertThat(new StdoutAuditSink().describe()).isEqualTo("stdout");
    }
}
