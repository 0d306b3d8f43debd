package dev.rotor;

import java.util.Objects;

/** One version of a secret as read from a store: its path, version metadata and value. */
public record Secret(String path, VersionInfo version, SecretValue value) {

    public Secret {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return "Secret[path=" + path + ", version=" + version.id() + ", stages=" + version.stages() + ", value=<redacted>]";
    }
}
