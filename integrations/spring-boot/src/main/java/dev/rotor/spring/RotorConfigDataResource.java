package dev.rotor.spring;

import java.nio.file.Path;
import java.util.Objects;
import org.springframework.boot.context.config.ConfigDataResource;

/**
 * The Rotor configuration file an application imports with {@code spring.config.import=rotor:}.
 * Two imports of the same file are one resource.
 */
public final class RotorConfigDataResource extends ConfigDataResource {

    private final Path configFile;

    RotorConfigDataResource(Path configFile, boolean optional) {
        super(optional);
        this.configFile = configFile.toAbsolutePath().normalize();
    }

    /** The absolute path of the Rotor configuration file. */
    public Path configFile() {
        return configFile;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RotorConfigDataResource r && r.configFile.equals(configFile);
    }

    @Override
    public int hashCode() {
        return Objects.hash(configFile);
    }

    @Override
    public String toString() {
        return "rotor config [" + configFile + "]";
    }
}
