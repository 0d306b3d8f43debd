package dev.rotor.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileNamesTest {

    private static final String PATH_CHARS = "abcxyzABCXYZ0189._-";

    @TempDir
    Path dir;

    @Test
    void encodingIsLowerCaseOnlyAndReversible() {
        assertThat(FileNames.encode("db/prod/password")).isEqualTo("db+prod+password");
        assertThat(FileNames.encode("API_Key")).isEqualTo("_a_p_i___key");
        assertThat(FileNames.decode("_a_p_i___key")).isEqualTo("API_Key");
        assertThat(FileNames.decode("db+prod+password")).isEqualTo("db/prod/password");
    }

    @Test
    void namesThatDifferOnlyInCaseMapToDifferentFiles() {
        assertThat(FileNames.encode("Key")).isNotEqualToIgnoringCase(FileNames.encode("key"));
    }

    @Test
    void decodeRejectsNamesThatAreNotEncodingsOfValidPaths() {
        assertThat(FileNames.decode("a++b")).isNull(); // empty segment
        assertThat(FileNames.decode("+a")).isNull(); // leading slash
        assertThat(FileNames.decode("a_")).isNull(); // dangling escape
        assertThat(FileNames.decode("a_1")).isNull(); // unknown escape
        assertThat(FileNames.decode("A")).isNull(); // upper case is never written
        assertThat(FileNames.decode("..")).isNull();
        assertThat(FileNames.decode("a~tmp-1")).isNull();
    }

    @Test
    void randomPathsRoundTripAndTheirPrefixesStayPrefixes() {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            String path = randomPath(random, 1 + random.nextInt(40));
            String enc = FileNames.encode(path);
            assertThat(FileNames.decode(enc)).isEqualTo(path);
            assertThat(enc).matches("[a-z0-9._+-]+").doesNotContain(AtomicFiles.TEMP_MARK);
            String prefix = path.substring(0, random.nextInt(path.length() + 1));
            assertThat(enc).startsWith(FileNames.encode(prefix));
        }
    }

    @Test
    void longPathsAreSplitIntoBoundedFileNamesAndListedBack() throws Exception {
        Path secrets = dir.resolve("secrets");
        List<String> paths = new ArrayList<>();
        Random random = new Random(7);
        paths.add("A".repeat(512)); // encodes to 1024 characters
        paths.add("a".repeat(100)); // exactly one chunk
        paths.add("a".repeat(101)); // one character into a second chunk
        paths.add("a".repeat(200));
        for (int i = 0; i < 50; i++) {
            paths.add(randomPath(random, 1 + random.nextInt(500)));
        }
        for (String p : paths) {
            Path file = FileNames.secretFile(secrets, p);
            Files.createDirectories(file.getParent());
            Files.write(file, new byte[0]);
            for (Path part : secrets.relativize(file)) {
                assertThat(part.toString().length()).isLessThanOrEqualTo(FileNames.CHUNK + FileNames.DIR_SUFFIX.length());
            }
        }
        assertThat(FileNames.list(secrets, "")).containsExactlyInAnyOrderElementsOf(paths.stream().distinct().toList());
        assertThat(FileNames.list(secrets, "a".repeat(150)))
                .containsExactlyInAnyOrderElementsOf(paths.stream().filter(p -> p.startsWith("a".repeat(150))).distinct().toList());
    }

    @Test
    void listIgnoresTemporaryFilesTombstonesAndForeignFiles() throws Exception {
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.write(secrets.resolve("app+db.sec"), new byte[0]);
        Files.write(secrets.resolve("app+db.sec~tmp-0011223344556677"), new byte[0]);
        Files.write(secrets.resolve("old.gone"), new byte[0]);
        Files.write(secrets.resolve("README.txt"), new byte[0]);
        Files.write(secrets.resolve("Upper.sec"), new byte[0]);
        Files.createDirectories(secrets.resolve("short.more"));
        assertThat(FileNames.list(secrets, "")).containsExactly("app/db");
        assertThat(FileNames.list(secrets, "b")).isEmpty();
        assertThat(FileNames.list(secrets, "bad char")).isEmpty();
    }

    private static String randomPath(Random random, int length) {
        StringBuilder sb = new StringBuilder();
        while (sb.length() < length) {
            if (sb.length() > 0 && sb.length() < length - 1 && random.nextInt(6) == 0) {
                sb.append('/');
            }
            sb.append(PATH_CHARS.charAt(random.nextInt(PATH_CHARS.length())));
        }
        String p = sb.toString();
        // '.' and '..' segments are not valid paths: make such segments longer.
        return String.join("/", java.util.Arrays.stream(p.split("/", -1))
                .map(s -> s.equals(".") || s.equals("..") ? s + "x" : s).toList());
    }
}
