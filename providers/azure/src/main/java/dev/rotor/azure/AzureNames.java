package dev.rotor.azure;

import dev.rotor.InvalidSecretRefException;
import dev.rotor.SecretRef;
import java.util.Locale;
import java.util.Optional;

/**
 * The reversible mapping between Rotor secret paths and Azure Key Vault secret names.
 *
 * <p>Azure names hold only {@code [0-9a-zA-Z-]}, 1 to 127 characters, and compare without regard
 * to case. Rotor paths hold {@code [A-Za-z0-9._-]} and {@code /}. A path is encoded character by
 * character into lower-case letters, digits and {@code -}, with {@code -} as the escape:
 *
 * <table>
 *   <caption>encoding of one path character</caption>
 *   <tr><th>path</th><th>name</th></tr>
 *   <tr><td>{@code a-z 0-9}</td><td>itself</td></tr>
 *   <tr><td>{@code /}</td><td>{@code --}</td></tr>
 *   <tr><td>{@code -}</td><td>{@code -0}</td></tr>
 *   <tr><td>{@code .}</td><td>{@code -1}</td></tr>
 *   <tr><td>{@code _}</td><td>{@code -2}</td></tr>
 *   <tr><td>{@code A-Z}</td><td>{@code -} and the lower-case letter</td></tr>
 * </table>
 *
 * For example {@code db/prod/password} is {@code db--prod--password}, {@code db/prod-eu/Password}
 * is {@code db--prod-0eu---password} and {@code API_KEY.v2} is {@code -a-p-i-2-k-e-y-1v2}.
 *
 * <p>Every escape is two characters and starts with {@code -}, so the code is prefix-free and
 * decodes left to right without ambiguity. Names are always written in lower case, so two paths
 * that differ only in case map to names that differ in more than case, and stay distinct in
 * Azure. Names are decoded after lower-casing them, as Azure compares them.
 *
 * <p>The pairs {@code -3} to {@code -9} never occur in the name of a path; Rotor keeps its own
 * secrets there: the PENDING versions of a path live in the secret {@code <name>-9pending}, which
 * a plain reader of {@code <name>} never sees and {@link dev.rotor.SecretStore#list} never shows.
 * So that every path can have a PENDING version, a path's name may be at most
 * {@value #MAX_PATH_NAME_LENGTH} characters (127 less the suffix).
 *
 * <p>Stateless.
 */
public final class AzureNames {

    /** The longest secret name Azure allows. */
    public static final int MAX_AZURE_NAME_LENGTH = 127;

    /** Suffix of the secret that holds a path's PENDING versions. */
    public static final String PENDING_SUFFIX = "-9pending";

    /** The longest name a path may map to. */
    public static final int MAX_PATH_NAME_LENGTH = MAX_AZURE_NAME_LENGTH - 9;

    /** A name no path maps to, read by the health check. */
    static final String HEALTH_PROBE_NAME = "rotor-9health";

    private AzureNames() {}

    /**
     * The Azure name of a path's secret (what a plain reader reads).
     *
     * @throws InvalidSecretRefException if the path is not valid or its name would be longer than
     *     {@value #MAX_PATH_NAME_LENGTH} characters
     */
    public static String secretName(String path) {
        SecretRef.checkPath(path);
        StringBuilder sb = new StringBuilder(path.length() + 8);
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                sb.append(c);
            } else if (c >= 'A' && c <= 'Z') {
                sb.append('-').append((char) (c - 'A' + 'a'));
            } else {
                sb.append('-').append(switch (c) {
                    case '/' -> '-';
                    case '-' -> '0';
                    case '.' -> '1';
                    case '_' -> '2';
                    default -> throw new IllegalStateException("checkPath let through character " + (int) c);
                });
            }
        }
        if (sb.length() > MAX_PATH_NAME_LENGTH) {
            throw new InvalidSecretRefException(path, "path is too long for Azure Key Vault: its secret name would be "
                    + sb.length() + " characters, at most " + MAX_PATH_NAME_LENGTH + " are allowed"
                    + " (upper-case letters and '/', '-', '.', '_' take two characters each)", 0);
        }
        return sb.toString();
    }

    /** The Azure name of the secret that holds a path's PENDING versions. */
    public static String pendingName(String path) {
        return secretName(path) + PENDING_SUFFIX;
    }

    /** The path whose secret has this Azure name; empty if the name is not one a path maps to. */
    public static Optional<String> pathOf(String azureName) {
        String name = azureName.toLowerCase(Locale.ROOT);
        if (name.isEmpty() || name.length() > MAX_PATH_NAME_LENGTH) {
            return Optional.empty();
        }
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                sb.append(c);
                continue;
            }
            if (c != '-' || i + 1 == name.length()) {
                return Optional.empty();
            }
            char e = name.charAt(++i);
            if (e >= 'a' && e <= 'z') {
                sb.append((char) (e - 'a' + 'A'));
            } else {
                switch (e) {
                    case '-' -> sb.append('/');
                    case '0' -> sb.append('-');
                    case '1' -> sb.append('.');
                    case '2' -> sb.append('_');
                    default -> {
                        return Optional.empty();
                    }
                }
            }
        }
        String path = sb.toString();
        try {
            SecretRef.checkPath(path);
        } catch (InvalidSecretRefException e) {
            // e.g. "a----b" decodes to "a//b"
            return Optional.empty();
        }
        return Optional.of(path);
    }

    /** The path whose PENDING secret has this Azure name; empty if it is not such a name. */
    public static Optional<String> pathOfPending(String azureName) {
        String name = azureName.toLowerCase(Locale.ROOT);
        if (!name.endsWith(PENDING_SUFFIX)) {
            return Optional.empty();
        }
        return pathOf(name.substring(0, name.length() - PENDING_SUFFIX.length()));
    }
}
