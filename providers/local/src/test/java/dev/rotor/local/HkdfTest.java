package dev.rotor.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Checks the HKDF implementation against the SHA-256 test vectors of RFC 5869, appendix A. */
class HkdfTest {

    private static final HexFormat HEX = HexFormat.of();

    private static byte[] range(int from, int to) {
        byte[] b = new byte[to - from];
        for (int i = from; i < to; i++) {
            b[i - from] = (byte) i;
        }
        return b;
    }

    @Test
    void rfc5869TestCase1() {
        byte[] ikm = HEX.parseHex("0b".repeat(22));
        byte[] okm = Hkdf.derive(ikm, range(0x00, 0x0d), range(0xf0, 0xfa), 42);
        assertThat(HEX.formatHex(okm)).isEqualTo(
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    }

    @Test
    void rfc5869TestCase2WithLongInputsAndSeveralBlocks() {
        byte[] okm = Hkdf.derive(range(0x00, 0x50), range(0x60, 0xb0), range(0xb0, 0x100), 82);
        assertThat(HEX.formatHex(okm)).isEqualTo(
                "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                        + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                        + "cc30c58179ec3e87c14c01d5c1f3434f1d87");
    }

    @Test
    void rfc5869TestCase3WithEmptySaltAndInfo() {
        byte[] okm = Hkdf.derive(HEX.parseHex("0b".repeat(22)), new byte[0], new byte[0], 42);
        assertThat(HEX.formatHex(okm)).isEqualTo(
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    }

    @Test
    void differentLabelsGiveDifferentKeys() {
        byte[] ikm = range(0, 32);
        byte[] salt = range(100, 116);
        assertThat(Hkdf.derive(ikm, salt, StoreKeys.INFO_VALUE_KEY, 32))
                .isNotEqualTo(Hkdf.derive(ikm, salt, StoreKeys.INFO_MAC_KEY, 32))
                .isNotEqualTo(Hkdf.derive(ikm, salt, StoreKeys.INFO_KEY_CHECK, 32));
    }

    @Test
    void rejectsImpossibleLengths() {
        assertThatThrownBy(() -> Hkdf.derive(new byte[32], new byte[0], new byte[0], 0))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Hkdf.derive(new byte[32], new byte[0], new byte[0], 255 * 32 + 1))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
