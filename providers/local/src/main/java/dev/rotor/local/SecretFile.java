package dev.rotor.local;

import dev.rotor.Stage;
import dev.rotor.VersionInfo;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The content of one secret file (or tombstone): every version with its encrypted value, the
 * stage pointers, and an HMAC over all of it. The byte layout is documented in
 * {@code docs/local-store.md}; {@link #encode} and {@link #decode} are its only writer and reader.
 *
 * <p>Not thread-safe: an instance is built, changed and written by one thread under the store lock.
 */
final class SecretFile {

    static final byte[] MAGIC = {'R', 'S', 'E', 'C'};
    static final int FORMAT_VERSION = 1;
    static final byte KIND_SECRET = 1;
    static final byte KIND_TOMBSTONE = 2;
    static final int STORE_ID_LENGTH = 16;
    /** Offset of the path length; the stage pointers follow the path at a fixed distance. */
    static final int PATH_LENGTH_OFFSET = 4 + 2 + 1 + STORE_ID_LENGTH;

    /** One stored version. The ciphertext includes the 16-byte GCM tag. */
    record StoredVersion(long number, Instant created, Map<String, String> tags, @Nullable String idempotencyKey,
            byte[] nonce, byte[] ciphertext) {

        StoredVersion {
            if (number <= 0) {
                throw new IllegalArgumentException("version number must be positive");
            }
            Objects.requireNonNull(created, "created");
            tags = Map.copyOf(tags);
            Objects.requireNonNull(nonce, "nonce");
            Objects.requireNonNull(ciphertext, "ciphertext");
        }

        String id() {
            return Long.toString(number);
        }

        @Override
        public String toString() {
            return "StoredVersion[" + number + ", " + created + ", " + ciphertext.length + " bytes]";
        }
    }

    /** A file's content does not make sense; {@code detail} says how, without quoting content. */
    static final class CorruptFileException extends Exception {
        private static final long serialVersionUID = 1L;

        CorruptFileException(String detail) {
            super(detail);
        }

        CorruptFileException(String detail, Throwable cause) {
            super(detail, cause);
        }
    }

    final String path;
    byte kind;
    long generation;
    long nextVersion;
    final EnumMap<Stage, Long> stages = new EnumMap<>(Stage.class);
    final List<StoredVersion> versions = new ArrayList<>();

    SecretFile(String path, byte kind, long generation, long nextVersion) {
        this.path = path;
        this.kind = kind;
        this.generation = generation;
        this.nextVersion = nextVersion;
    }

    /** A new, empty secret whose first version will be {@code firstVersion}. */
    static SecretFile fresh(String path, long firstVersion) {
        return new SecretFile(path, KIND_SECRET, 0, firstVersion);
    }

    @Nullable StoredVersion find(String versionId) {
        for (StoredVersion v : versions) {
            if (v.id().equals(versionId)) {
                return v;
            }
        }
        return null;
    }

    /**
     * Removes the oldest versions that no stage points at, keeping the newest {@code keepUnstaged}
     * of them and every version a stage points at. The next version number is unchanged, so no
     * version id is ever reused.
     *
     * @return how many versions were removed
     */
    int prune(int keepUnstaged) {
        int unstaged = 0;
        int removed = 0;
        for (int i = versions.size() - 1; i >= 0; i--) {
            long n = versions.get(i).number();
            if (stages.containsValue(n)) {
                continue;
            }
            if (++unstaged > keepUnstaged) {
                versions.remove(i);
                removed++;
            }
        }
        return removed;
    }

    @Nullable String stage(Stage stage) {
        Long n = stages.get(stage);
        return n == null ? null : Long.toString(n);
    }

    void setStage(Stage stage, @Nullable String versionId) {
        if (versionId == null) {
            stages.remove(stage);
        } else {
            stages.put(stage, Long.parseLong(versionId));
        }
    }

    VersionInfo info(StoredVersion v) {
        Set<Stage> s = EnumSet.noneOf(Stage.class);
        stages.forEach((stage, n) -> {
            if (n == v.number()) {
                s.add(stage);
            }
        });
        return new VersionInfo(v.id(), v.created(), s, v.tags());
    }

    // ---- encoding --------------------------------------------------------------------------

    byte[] encode(StoreKeys keys) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + versions.stream().mapToInt(v -> v.ciphertext().length + 64).sum());
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(MAGIC);
            out.writeShort(FORMAT_VERSION);
            out.writeByte(kind);
            out.write(keys.storeId());
            writeString(out, path, 2);
            out.writeLong(generation);
            out.writeLong(nextVersion);
            for (Stage s : Stage.values()) {
                out.writeLong(stages.getOrDefault(s, 0L));
            }
            out.writeInt(versions.size());
            for (StoredVersion v : versions) {
                out.writeLong(v.number());
                out.writeLong(v.created().getEpochSecond());
                out.writeInt(v.created().getNano());
                writeString(out, v.idempotencyKey() == null ? "" : v.idempotencyKey(), 2);
                out.writeInt(v.tags().size());
                for (var tag : new TreeMap<>(v.tags()).entrySet()) {
                    writeString(out, tag.getKey(), 4);
                    writeString(out, tag.getValue(), 4);
                }
                out.write(v.nonce());
                out.writeInt(v.ciphertext().length);
                out.write(v.ciphertext());
            }
            out.flush();
            byte[] body = bytes.toByteArray();
            byte[] mac = keys.mac(body, 0, body.length);
            byte[] file = Arrays.copyOf(body, body.length + mac.length);
            System.arraycopy(mac, 0, file, body.length, mac.length);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
    }

    private static void writeString(DataOutputStream out, String s, int lengthBytes) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (lengthBytes == 2) {
            if (b.length > 0xFFFF) {
                throw new IllegalArgumentException("string longer than 65535 bytes cannot be stored here");
            }
            out.writeShort(b.length);
        } else {
            out.writeInt(b.length);
        }
        out.write(b);
    }

    // ---- decoding --------------------------------------------------------------------------

    /**
     * Reads and authenticates a file.
     *
     * @param expectedKind {@link #KIND_SECRET} or {@link #KIND_TOMBSTONE}
     * @throws CorruptFileException if it is not a well-formed file of this store for {@code expectedPath}
     */
    static SecretFile decode(byte[] data, StoreKeys keys, String expectedPath, byte expectedKind) throws CorruptFileException {
        int minimum = PATH_LENGTH_OFFSET + 2 + 8 * 5 + 4 + StoreKeys.MAC_LENGTH;
        if (data.length < MAGIC.length || !Arrays.equals(data, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            throw new CorruptFileException(data.length == 0 ? "the file is empty" : "it is not a Rotor secret file (bad magic bytes)");
        }
        if (data.length >= 6) {
            int format = ((data[4] & 0xFF) << 8) | (data[5] & 0xFF);
            if (format != FORMAT_VERSION) {
                throw new CorruptFileException("it has format version " + format + ", this Rotor reads version " + FORMAT_VERSION);
            }
        }
        if (data.length < minimum) {
            throw new CorruptFileException("it is truncated (" + data.length + " bytes)");
        }
        int bodyLength = data.length - StoreKeys.MAC_LENGTH;
        byte[] expectedMac = keys.mac(data, 0, bodyLength);
        if (!MessageDigest.isEqual(expectedMac, Arrays.copyOfRange(data, bodyLength, data.length))) {
            throw new CorruptFileException("authentication failed: it is corrupt, truncated or was changed outside Rotor");
        }
        ByteBuffer in = ByteBuffer.wrap(data, 0, bodyLength);
        try {
            in.position(MAGIC.length + 2);
            byte kind = in.get();
            byte[] storeId = new byte[STORE_ID_LENGTH];
            in.get(storeId);
            if (!Arrays.equals(storeId, keys.storeId())) {
                throw new CorruptFileException("it belongs to store " + HexFormat.of().formatHex(storeId) + ", not to this one");
            }
            String path = readString(in, 2);
            if (!path.equals(expectedPath)) {
                throw new CorruptFileException("it holds secret '" + path + "', not '" + expectedPath + "' (was the file moved or swapped?)");
            }
            if (kind != expectedKind) {
                throw new CorruptFileException("it is a " + kindName(kind) + " where a " + kindName(expectedKind) + " was expected");
            }
            SecretFile f = new SecretFile(path, kind, in.getLong(), in.getLong());
            for (Stage s : Stage.values()) {
                long n = in.getLong();
                if (n != 0) {
                    f.stages.put(s, n);
                }
            }
            int count = in.getInt();
            if (count < 0 || count > in.remaining() / 40) {
                throw new CorruptFileException("it declares an impossible number of versions");
            }
            long last = 0;
            for (int i = 0; i < count; i++) {
                long number = in.getLong();
                if (number <= last || number >= f.nextVersion) {
                    throw new CorruptFileException("version numbers are out of order");
                }
                last = number;
                Instant created = Instant.ofEpochSecond(in.getLong(), in.getInt());
                String idem = readString(in, 2);
                int tagCount = in.getInt();
                if (tagCount < 0 || tagCount > in.remaining() / 8) {
                    throw new CorruptFileException("version " + number + " declares an impossible number of tags");
                }
                Map<String, String> tags = new LinkedHashMap<>();
                for (int t = 0; t < tagCount; t++) {
                    tags.put(readString(in, 4), readString(in, 4));
                }
                byte[] nonce = new byte[StoreKeys.NONCE_LENGTH];
                in.get(nonce);
                int ctLength = in.getInt();
                if (ctLength < StoreKeys.TAG_BITS / 8 || ctLength > in.remaining()) {
                    throw new CorruptFileException("version " + number + " has a bad ciphertext length");
                }
                byte[] ct = new byte[ctLength];
                in.get(ct);
                f.versions.add(new StoredVersion(number, created, tags, idem.isEmpty() ? null : idem, nonce, ct));
            }
            if (in.hasRemaining()) {
                throw new CorruptFileException("it has " + in.remaining() + " unexpected trailing bytes");
            }
            for (var e : f.stages.entrySet()) {
                if (f.find(Long.toString(e.getValue())) == null) {
                    throw new CorruptFileException(e.getKey() + " points at version " + e.getValue() + ", which does not exist");
                }
            }
            return f;
        } catch (BufferUnderflowException | DateTimeException | IllegalArgumentException e) {
            throw new CorruptFileException("its structure is malformed", e);
        }
    }

    private static String readString(ByteBuffer in, int lengthBytes) throws CorruptFileException {
        int length = lengthBytes == 2 ? Short.toUnsignedInt(in.getShort()) : in.getInt();
        if (length < 0 || length > in.remaining()) {
            throw new CorruptFileException("a length field points past the end of the file");
        }
        ByteBuffer slice = in.slice(in.position(), length);
        in.position(in.position() + length);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw new CorruptFileException("a text field is not valid UTF-8");
        }
    }

    private static String kindName(byte kind) {
        return switch (kind) {
            case KIND_SECRET -> "secret file";
            case KIND_TOMBSTONE -> "tombstone";
            default -> "file of unknown kind " + kind;
        };
    }
}
