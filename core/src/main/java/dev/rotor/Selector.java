package dev.rotor;

import java.util.Objects;

/** Which version of a secret to read: the version a stage points at, or one version id. */
public sealed interface Selector permits Selector.ByStage, Selector.ByVersion {

    Selector CURRENT = new ByStage(Stage.CURRENT);
    Selector PENDING = new ByStage(Stage.PENDING);
    Selector PREVIOUS = new ByStage(Stage.PREVIOUS);

    /** The shared selector for a stage (no allocation). */
    static Selector stage(Stage stage) {
        return switch (Objects.requireNonNull(stage, "stage")) {
            case CURRENT -> CURRENT;
            case PENDING -> PENDING;
            case PREVIOUS -> PREVIOUS;
        };
    }

    static Selector version(String versionId) {
        return new ByVersion(versionId);
    }

    /** Selects the version a stage points at. */
    record ByStage(Stage stage) implements Selector {
        public ByStage {
            Objects.requireNonNull(stage, "stage");
        }

        @Override
        public String toString() {
            return "stage=" + stage.refName();
        }
    }

    /** Selects one version by its id. */
    record ByVersion(String versionId) implements Selector {
        public ByVersion {
            SecretRef.checkVersionId(versionId);
        }

        @Override
        public String toString() {
            return "version=" + versionId;
        }
    }
}
