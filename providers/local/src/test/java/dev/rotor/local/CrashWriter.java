package dev.rotor.local;

import dev.rotor.ConflictException;
import dev.rotor.PutOptions;
import dev.rotor.Secret;
import dev.rotor.SecretNotFoundException;
import dev.rotor.SecretValue;
import dev.rotor.Selector;
import dev.rotor.VersionInfo;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.HexFormat;
import java.util.Random;

/**
 * A child process for {@link LocalStoreCrashIT}: writes to a local store as fast as it can and
 * reports each operation in a report file, one line per write(2) so a kill never leaves half a
 * line (a file, not stdout: see {@code LocalStoreCrashIT.Writer}):
 *
 * <pre>
 * OP PUT_CURRENT &lt;path&gt; &lt;sha256&gt;     before a put as CURRENT of a value with that hash
 * OP PUT_PENDING &lt;path&gt; &lt;sha256&gt;     before a put as PENDING
 * OP PROMOTE &lt;path&gt; &lt;versionId&gt; &lt;expectedCurrent&gt;   before a promote with compare-and-set
 * ACK &lt;path&gt; &lt;versionId&gt; &lt;sha256&gt;   after the operation returned
 * CONFLICT &lt;path&gt;                     after a promote lost its compare-and-set
 * </pre>
 *
 * Arguments: store directory, random seed, number of operations, comma-separated paths, the
 * store's {@code maxVersions}, the report file. The master key comes from {@code ROTOR_MASTER_KEY}.
 */
public final class CrashWriter {

    private CrashWriter() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        Random random = new Random(Long.parseLong(args[1]));
        int operations = Integer.parseInt(args[2]);
        String[] paths = args[3].split(",");
        LocalStoreOptions options = new LocalStoreOptions(Integer.parseInt(args[4]));
        MasterKey key = MasterKey.parse(System.getenv("ROTOR_MASTER_KEY"));
        try (FileOutputStream out = new FileOutputStream(args[5], true);
                LocalSecretStore store = LocalSecretStore.open("crash", dir, key, Clock.systemUTC(), options)) {
            key.destroy();
            for (int i = 0; i < operations; i++) {
                String path = paths[random.nextInt(paths.length)];
                int kind = random.nextInt(3);
                if (kind == 2 && promote(store, path, out)) {
                    continue;
                }
                boolean current = kind == 0;
                byte[] value = new byte[random.nextInt(5) == 0 ? 32 * 1024 : 1 + random.nextInt(2048)];
                random.nextBytes(value);
                String hash = sha256(value);
                line(out, "OP " + (current ? "PUT_CURRENT" : "PUT_PENDING") + " " + path + " " + hash);
                VersionInfo v = store.put(path, SecretValue.of(value), current ? PutOptions.current() : PutOptions.pending());
                line(out, "ACK " + path + " " + v.id() + " " + hash);
            }
        }
    }

    /** Promotes the PENDING version if there is one; false if there is nothing to promote. */
    private static boolean promote(LocalSecretStore store, String path, FileOutputStream out) throws IOException {
        Secret pending;
        String current;
        try {
            pending = store.get(path, Selector.PENDING);
            current = store.get(path, Selector.CURRENT).version().id();
        } catch (SecretNotFoundException e) {
            return false;
        }
        String hash = sha256(pending.value().bytes());
        String id = pending.version().id();
        line(out, "OP PROMOTE " + path + " " + id + " " + current);
        try {
            store.promote(path, id, current);
            line(out, "ACK " + path + " " + id + " " + hash);
        } catch (ConflictException e) {
            line(out, "CONFLICT " + path);
        }
        return true;
    }

    private static void line(FileOutputStream out, String text) throws IOException {
        out.write((text + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    static String sha256(byte[] value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
