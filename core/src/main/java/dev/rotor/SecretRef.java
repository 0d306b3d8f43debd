package dev.rotor;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A reference to a secret: {@code secret://<store>/<path>[#<field>][?stage=current|pending|previous|version=<id>]}.
 *
 * <ul>
 *   <li>store: {@code [a-z0-9][a-z0-9-]*}, at most 63 characters;
 *   <li>path: one or more segments separated by {@code /}; a segment is {@code [A-Za-z0-9._-]+}
 *       and not {@code .} or {@code ..}; at most 512 characters;
 *   <li>field: {@code [A-Za-z0-9._-]+}, a top-level field of a JSON object value;
 *   <li>query: at most one of {@code stage=} or {@code version=}; default {@code stage=current}.
 * </ul>
 *
 * A ref names a secret, it never holds one, so refs may appear in logs and error messages.
 */
public record SecretRef(String store, String path, @Nullable String field, Selector selector) {

    public static final String SCHEME = "secret://";
    public static final int MAX_PATH_LENGTH = 512;
    public static final int MAX_STORE_LENGTH = 63;

    public SecretRef {
        checkStoreName(store);
        checkPath(path);
        if (field != null) {
            checkToken(field, "field");
        }
        Objects.requireNonNull(selector, "selector");
    }

    public static SecretRef of(String store, String path) {
        return new SecretRef(store, path, null, Selector.CURRENT);
    }

    public SecretRef withSelector(Selector newSelector) {
        return new SecretRef(store, path, field, newSelector);
    }

    public SecretRef withField(@Nullable String newField) {
        return new SecretRef(store, path, newField, selector);
    }

    /** True if the text starts with {@code secret://}; says nothing of whether it parses. */
    public static boolean looksLikeRef(@Nullable String text) {
        return text != null && text.startsWith(SCHEME);
    }

    /**
     * Parses a ref.
     *
     * @throws InvalidSecretRefException naming what is wrong and the character position
     */
    public static SecretRef parse(String text) {
        if (text == null) {
            throw new InvalidSecretRefException("null", "a secret ref is required", 0);
        }
        if (!text.startsWith(SCHEME)) {
            throw new InvalidSecretRefException(text, "must start with 'secret://'", 0);
        }
        int pos = SCHEME.length();
        int slash = text.indexOf('/', pos);
        int storeEnd = slash < 0 ? text.length() : slash;
        String store = text.substring(pos, storeEnd);
        String storeProblem = storeNameProblem(store);
        if (storeProblem != null) {
            throw new InvalidSecretRefException(text, storeProblem, pos);
        }
        if (slash < 0) {
            throw new InvalidSecretRefException(text, "missing '/<path>' after the store name", storeEnd);
        }
        pos = slash + 1;
        int hash = text.indexOf('#', pos);
        int query = text.indexOf('?', pos);
        int pathEnd = minPositive(hash, query, text.length());
        String path = text.substring(pos, pathEnd);
        PathProblem pathProblem = pathProblem(path);
        if (pathProblem != null) {
            throw new InvalidSecretRefException(text, pathProblem.message(), pos + pathProblem.offset());
        }
        String field = null;
        Selector selector = Selector.CURRENT;
        boolean sawQuery = false;
        pos = pathEnd;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            int start = pos + 1;
            int end = minPositive(text.indexOf('#', start), text.indexOf('?', start), text.length());
            String part = text.substring(start, end);
            if (c == '#') {
                if (field != null) {
                    throw new InvalidSecretRefException(text, "more than one '#field'", pos);
                }
                String problem = tokenProblem(part, "field");
                if (problem != null) {
                    throw new InvalidSecretRefException(text, problem, start);
                }
                field = part;
            } else {
                if (sawQuery) {
                    throw new InvalidSecretRefException(text, "more than one '?' query", pos);
                }
                sawQuery = true;
                selector = parseQuery(text, part, start);
            }
            pos = end;
        }
        return new SecretRef(store, path, field, selector);
    }

    private static Selector parseQuery(String text, String query, int offset) {
        if (query.contains("&")) {
            throw new InvalidSecretRefException(text, "give either 'stage=' or 'version=', not both", offset + query.indexOf('&'));
        }
        int eq = query.indexOf('=');
        if (eq < 0) {
            throw new InvalidSecretRefException(text, "query must be 'stage=<stage>' or 'version=<id>'", offset);
        }
        String key = query.substring(0, eq);
        String value = query.substring(eq + 1);
        switch (key) {
            case "stage" -> {
                for (Stage s : Stage.values()) {
                    if (s.refName().equals(value)) {
                        return Selector.stage(s);
                    }
                }
                throw new InvalidSecretRefException(text, "unknown stage '" + value + "' (expected current, pending or previous)", offset + eq + 1);
            }
            case "version" -> {
                String problem = tokenProblem(value, "version id");
                if (problem != null) {
                    throw new InvalidSecretRefException(text, problem, offset + eq + 1);
                }
                return Selector.version(value);
            }
            default -> throw new InvalidSecretRefException(text, "unknown query key '" + key + "' (expected stage or version)", offset);
        }
    }

    private static int minPositive(int a, int b, int otherwise) {
        int m = otherwise;
        if (a >= 0 && a < m) {
            m = a;
        }
        if (b >= 0 && b < m) {
            m = b;
        }
        return m;
    }

    /** The canonical text form; {@code parse(format())} gives an equal ref. */
    public String format() {
        StringBuilder sb = new StringBuilder(SCHEME.length() + store.length() + path.length() + 24)
                .append(SCHEME).append(store).append('/').append(path);
        if (field != null) {
            sb.append('#').append(field);
        }
        if (!selector.equals(Selector.CURRENT)) {
            sb.append('?').append(selector);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return format();
    }

    // ---- validation shared with stores -------------------------------------------------

    /** Validates a store name; throws {@link IllegalArgumentException} saying what is wrong. */
    public static void checkStoreName(String store) {
        String problem = storeNameProblem(store);
        if (problem != null) {
            throw new IllegalArgumentException("invalid store name '" + store + "': " + problem);
        }
    }

    /** Validates a secret path; throws {@link InvalidSecretRefException} saying what is wrong and where. */
    public static void checkPath(String path) {
        PathProblem problem = pathProblem(path);
        if (problem != null) {
            throw new InvalidSecretRefException(String.valueOf(path), "invalid path: " + problem.message(), problem.offset());
        }
    }

    /** Validates a version id (the characters allowed in a ref's {@code version=}). */
    public static void checkVersionId(String versionId) {
        checkToken(versionId, "version id");
    }

    private static void checkToken(String token, String what) {
        String problem = tokenProblem(token, what);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }

    private static @Nullable String storeNameProblem(@Nullable String store) {
        if (store == null || store.isEmpty()) {
            return "store name is empty";
        }
        if (store.length() > MAX_STORE_LENGTH) {
            return "store name is longer than " + MAX_STORE_LENGTH + " characters";
        }
        for (int i = 0; i < store.length(); i++) {
            char c = store.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c == '-' && i > 0);
            if (!ok) {
                return "store name may hold only a-z, 0-9 and '-' (not first); found '" + printable(c) + "' at index " + i;
            }
        }
        return null;
    }

    private record PathProblem(String message, int offset) {}

    private static @Nullable PathProblem pathProblem(@Nullable String path) {
        if (path == null || path.isEmpty()) {
            return new PathProblem("path is empty", 0);
        }
        if (path.length() > MAX_PATH_LENGTH) {
            return new PathProblem("path is longer than " + MAX_PATH_LENGTH + " characters", MAX_PATH_LENGTH);
        }
        int segStart = 0;
        for (int i = 0; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '/') {
                int len = i - segStart;
                if (len == 0) {
                    return new PathProblem("empty path segment (leading, trailing or doubled '/')", i);
                }
                if ((len == 1 && path.charAt(segStart) == '.')
                        || (len == 2 && path.charAt(segStart) == '.' && path.charAt(segStart + 1) == '.')) {
                    return new PathProblem("path segments '.' and '..' are not allowed", segStart);
                }
                segStart = i + 1;
                continue;
            }
            if (!isTokenChar(path.charAt(i))) {
                return new PathProblem("character '" + printable(path.charAt(i))
                        + "' is not allowed in a path (allowed: A-Z a-z 0-9 . _ - and '/' between segments)", i);
            }
        }
        return null;
    }

    private static @Nullable String tokenProblem(@Nullable String token, String what) {
        if (token == null || token.isEmpty()) {
            return what + " is empty";
        }
        if (token.length() > 256) {
            return what + " is longer than 256 characters";
        }
        for (int i = 0; i < token.length(); i++) {
            if (!isTokenChar(token.charAt(i))) {
                return "character '" + printable(token.charAt(i)) + "' is not allowed in a " + what
                        + " (allowed: A-Z a-z 0-9 . _ -)";
            }
        }
        return null;
    }

    private static boolean isTokenChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || c == '.' || c == '_' || c == '-';
    }

    private static String printable(char c) {
        return c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c);
    }
}
