package dev.rotor.audit;

import dev.rotor.AuditUnavailableException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Objects;

/**
 * An {@link AuditSink} that prints one JSON object per event and line ({@link AuditEventCodec}
 * form, no hash chain) to a stream, by default {@link System#out}: for containers whose log
 * collector ships standard output. Each event's line is written and flushed with one call, so
 * lines of concurrent appenders never interleave.
 *
 * <p>{@link PrintStream} swallows I/O errors; this sink checks {@link PrintStream#checkError()}
 * after each flush and throws {@link AuditUnavailableException} once the stream has failed
 * (a closed pipe, a full disk behind a redirect). A {@code PrintStream} keeps its error state, so
 * the sink then fails every later append too. {@link #close()} flushes but does not close the
 * stream, which it does not own.
 *
 * <p>Thread-safe.
 */
public final class StdoutAuditSink implements AuditSink {

    private final PrintStream out;
    private final String description;

    /** Prints to {@link System#out}. */
    public StdoutAuditSink() {
        this(System.out, "stdout");
    }

    /** Prints to {@code out}. */
    public StdoutAuditSink(PrintStream out) {
        this(out, "stream");
    }

    private StdoutAuditSink(PrintStream out, String description) {
        this.out = Objects.requireNonNull(out, "out");
        this.description = description;
    }

    @Override
    public void append(AuditEvent event) {
        appendAll(List.of(event));
    }

    @Override
    public void appendAll(List<AuditEvent> events) {
        ByteArrayOutputStream lines = new ByteArrayOutputStream(events.size() * 320);
        for (AuditEvent e : events) {
            lines.writeBytes(AuditEventCodec.toJsonBytes(e));
            lines.write('\n');
        }
        if (lines.size() == 0) {
            return;
        }
        synchronized (this) {
            out.write(lines.toByteArray(), 0, lines.size());
            out.flush();
            if (out.checkError()) {
                throw new AuditUnavailableException("audit sink " + description + ": the stream reported a write error;"
                        + " " + events.size() + (events.size() == 1 ? " event was" : " events were") + " not recorded", null);
            }
        }
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public void close() {
        synchronized (this) {
            out.flush();
        }
    }
}
