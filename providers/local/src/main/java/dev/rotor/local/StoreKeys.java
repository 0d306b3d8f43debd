package dev.rotor.local;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The sub-keys of one store, derived from the master key with HKDF-SHA256 (salt = the store id,
 * one {@code info} label per purpose), and the operations that use them. The master key itself
 * is never used to encrypt or authenticate anything.
 *
 * <p>Thread-safe: every operation makes its own {@link Cipher}/{@link Mac}; {@link #destroy()}
 * must not race with them.
 */
final class StoreKeys {

    static final int NONCE_LENGTH = 12;
    static final int TAG_BITS = 128;
    static final int MAC_LENGTH = 32;

    static final byte[] INFO_KEY_CHECK = label("rotor-local/v1/key-check");
    static final byte[] INFO_VALUE_KEY = label("rotor-local/v1/value-encryption");
    static final byte[] INFO_MAC_KEY = label("rotor-local/v1/metadata-mac");
    private static final byte[] AD_LABEL = label("rotor-local/v1/value");

    private static final SecureRandom RANDOM = new SecureRandom();

    private final byte[] storeId;
    private final byte[] keyCheck;
    private final byte[] valueKey;
    private final byte[] macKey;

    StoreKeys(MasterKey master, byte[] storeId) {
        this.storeId = storeId.clone();
        byte[] ikm = master.bytes();
        this.keyCheck = Hkdf.derive(ikm, storeId, INFO_KEY_CHECK, 32);
        this.valueKey = Hkdf.derive(ikm, storeId, INFO_VALUE_KEY, 32);
        this.macKey = Hkdf.derive(ikm, storeId, INFO_MAC_KEY, 32);
    }

    byte[] storeId() {
        return storeId.clone();
    }

    /** The value the store header records so that a wrong master key is told apart from corruption. */
    byte[] keyCheck() {
        return keyCheck.clone();
    }

    boolean matchesKeyCheck(byte[] recorded) {
        return MessageDigest.isEqual(keyCheck, recorded);
    }

    byte[] mac(byte[] data, int offset, int length) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(macKey, "HmacSHA256"));
            mac.update(data, offset, length);
            return mac.doFinal();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }

    static byte[] newNonce() {
        byte[] nonce = new byte[NONCE_LENGTH];
        RANDOM.nextBytes(nonce);
        return nonce;
    }

    byte[] encrypt(byte[] nonce, byte[] plaintext, String path, long version) {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(valueKey, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(associatedData(path, version));
            return c.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /** @throws AEADBadTagException if the ciphertext, nonce, path or version does not match */
    byte[] decrypt(byte[] nonce, byte[] ciphertext, String path, long version) throws AEADBadTagException {
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(valueKey, "AES"), new GCMParameterSpec(TAG_BITS, nonce));
            c.updateAAD(associatedData(path, version));
            return c.doFinal(ciphertext);
        } catch (AEADBadTagException e) {
            throw e;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /** Binds a ciphertext to this store, its secret path and its version number. */
    private byte[] associatedData(String path, long version) {
        byte[] p = path.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(AD_LABEL.length + storeId.length + 2 + p.length + 8)
                .put(AD_LABEL).put(storeId).putShort((short) p.length).put(p).putLong(version)
                .array();
    }

    void destroy() {
        Arrays.fill(keyCheck, (byte) 0);
        Arrays.fill(valueKey, (byte) 0);
        Arrays.fill(macKey, (byte) 0);
    }

    private static byte[] label(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return "StoreKeys[<redacted>]";
    }
}
