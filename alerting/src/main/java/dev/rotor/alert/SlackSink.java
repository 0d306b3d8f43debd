package dev.rotor.alert;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rotor.alert.internal.AlertJson;
import dev.rotor.alert.internal.HttpPoster;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Posts each alert to a Slack incoming webhook: a {@code text} line (shown in notifications)
 * and {@code blocks}: a section with the summary and ref, a section of up to ten detail fields,
 * and a context line with kind, key and time. The webhook URL holds Slack's token, so it comes
 * from the environment and only its host is ever shown.
 */
public final class SlackSink implements AlertSink {

    private static final int MAX_FIELDS = 10;

    private final URI url;
    private final HttpPoster http;

    public SlackSink(URI url, Duration timeout) {
        this.url = Objects.requireNonNull(url, "url");
        this.http = new HttpPoster(timeout);
    }

    /** The payload sent for {@code alert}. */
    public static ObjectNode payload(Alert alert) {
        String head = (alert.resolved() ? "RESOLVED" : alert.severity().name()) + ": " + alert.summary();
        ObjectNode root = AlertJson.MAPPER.createObjectNode();
        root.put("text", "[Rotor] " + head);
        ArrayNode blocks = root.putArray("blocks");
        ObjectNode main = blocks.addObject();
        main.put("type", "section");
        main.putObject("text").put("type", "mrkdwn").put("text", "*" + escape(head) + "*\n`" + escape(alert.ref()) + "`");
        if (!alert.details().isEmpty()) {
            ObjectNode facts = blocks.addObject();
            facts.put("type", "section");
            ArrayNode fields = facts.putArray("fields");
            alert.details().entrySet().stream().limit(MAX_FIELDS).forEach(e ->
                    fields.addObject().put("type", "mrkdwn").put("text", "*" + escape(e.getKey()) + "*\n" + escape(e.getValue())));
        }
        ObjectNode context = blocks.addObject();
        context.put("type", "context");
        context.putArray("elements").addObject().put("type", "mrkdwn")
                .put("text", escape(alert.kind() + " · " + alert.key() + " · " + alert.time()));
        return root;
    }

    @Override
    public void send(Alert alert) {
        http.post(describe(), url, AlertJson.bytes(payload(alert)), Map.of());
    }

    @Override
    public String describe() {
        return "slack:" + url.getHost();
    }

    @Override
    public void close() {
        http.close();
    }

    @Override
    public String toString() {
        return describe();
    }

    /** Slack's mrkdwn gives &, < and > meaning (links, mentions); shown text must escape them. */
    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
