package dev.rotor.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rotor.InvalidConfigurationException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MasterKeyTest {

    @TempDir
    Path dir;

    @Test
    void generatedKeysAreThirtyTwoRandomBytes() {
        MasterKey a = MasterKey.generate();
        MasterKey b = MasterKey.generate();
        assertThat(Base64.getDecoder().decode(a.toBase64())).hasSize(32);
        assertThat(a.toBase64()).isNotEqualTo(b.toBase64());
    }

    @Test
    void parseRoundTripsTheBase64FormAndIgnoresSurroundingWhitespace() {
        MasterKey a = MasterKey.generate();
        assertThat(MasterKey.parse("  " + a.toBase64() + "\n").toBase64()).isEqualTo(a.toBase64());
    }

    @Test
    void parseRejectsTextThatIsNotBase64WithoutQuotingIt() {
        String bad = "not-base64-secret-looking-text!!";
        assertThatThrownBy(() -> MasterKey.parse(bad))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("master key is not valid base64")
                .message().doesNotContain(bad);
    }

    @Test
    void parseRejectsAKeyOfTheWrongLength() {
        String shortKey = Base64.getEncoder().encodeToString(new byte[16]);
        assertThatThrownBy(() -> MasterKey.parse(shortKey))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be 32 bytes")
                .hasMessageContaining("decodes to 16 bytes");
    }

    @Test
    void writeNewCreatesAnOwnerOnlyFileThatReadGivesBack() throws Exception {
        Path file = dir.resolve("keys/master.key");
        MasterKey written = MasterKey.writeNew(file);
        assertThat(MasterKey.read(file).toBase64()).isEqualTo(written.toBase64());
        assertThat(Files.readString(file, StandardCharsets.US_ASCII)).isEqualTo(written.toBase64() + "\n");
        assumeTrue(file.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    }

    @Test
    void writeNewRefusesToOverwriteAnExistingFile() throws Exception {
        Path file = dir.resolve("master.key");
        MasterKey first = MasterKey.writeNew(file);
        assertThatThrownBy(() -> MasterKey.writeNew(file))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("already exists; refusing to overwrite");
        assertThat(MasterKey.read(file).toBase64()).isEqualTo(first.toBase64());
    }

    @Test
    void readOfAMissingFileNamesTheFile() {
        Path file = dir.resolve("absent.key");
        assertThatThrownBy(() -> MasterKey.read(file))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("does not exist");
    }

    @Test
    void readOfAMalformedFileNamesTheFileButNotItsContent() throws Exception {
        Path file = dir.resolve("bad.key");
        Files.writeString(file, "this is not a key at all");
        assertThatThrownBy(() -> MasterKey.read(file))
                .isInstanceOf(InvalidConfigurationException.class)
                .hasMessageContaining(file.toString())
                .hasMessageContaining("not valid base64")
                .message().doesNotContain("this is not a key");
    }

    @Test
    void toStringNeverShowsTheKey() {
        MasterKey key = MasterKey.generate();
        assertThat(key.toString()).isEqualTo("MasterKey[<redacted>]").doesNotContain(key.toBase64());
    }

    @Test
    void destroyZeroesTheKeyAndLaterUseFails() {
        MasterKey key = MasterKey.generate();
        byte[] raw = key.bytes();
        key.destroy();
        assertThat(key.isDestroyed()).isTrue();
        assertThat(raw).containsOnly((byte) 0);
        assertThatThrownBy(key::toBase64).isInstanceOf(IllegalStateException.class).hasMessage("master key was destroyed");
    }
}
