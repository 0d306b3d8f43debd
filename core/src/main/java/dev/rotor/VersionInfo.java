package dev.rotor;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Metadata of one version of a secret: id, creation time, the stages pointing at it and
 * its tags. Never holds the value.
 */
public record VersionInfo(String id, Instant created, Set<Stage> stages, Map<String, String> tags) {

    public VersionInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(created, "created");
        stages = stages.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(stages));
        tags = Map.copyOf(tags);
    }

    public boolean has(Stage stage) {
        return stages.contains(stage);
    }
}
