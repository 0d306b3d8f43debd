package dev.rotor.kubernetes;

import dev.rotor.alert.Alert;
import dev.rotor.alert.AlertSink;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Keeps the alerts it is sent. */
final class RecordingAlertSink implements AlertSink {

    private final List<Alert> sent = new CopyOnWriteArrayList<>();

    List<Alert> sent() {
        return List.copyOf(sent);
    }

    @Override
    public void send(Alert alert) {
        sent.add(alert);
    }

    @Override
    public String describe() {
        return "recording";
    }
}
