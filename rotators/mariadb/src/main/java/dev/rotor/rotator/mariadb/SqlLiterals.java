package dev.rotor.rotator.mariadb;

/**
 * Quotes text as a MariaDB/MySQL string literal. In the default SQL mode a backslash starts an
 * escape inside a literal, so it is doubled; with {@code NO_BACKSLASH_ESCAPES} it is an ordinary
 * character and doubling it would change the text. A quote is doubled in both modes, which both
 * servers read as one quote. Stateless.
 */
final class SqlLiterals {

    private SqlLiterals() {}

    /**
     * {@code text} as a single-quoted literal.
     *
     * @param noBackslashEscapes whether the session's {@code sql_mode} has {@code NO_BACKSLASH_ESCAPES}
     * @throws IllegalArgumentException if {@code text} holds a NUL character, which no account
     *     name or password used here may contain
     */
    static String quote(String text, boolean noBackslashEscapes) {
        StringBuilder sb = new StringBuilder(text.length() + 8).append('\'');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\'' -> sb.append("''");
                case '\\' -> sb.append(noBackslashEscapes ? "\\" : "\\\\");
                case '\0' -> throw new IllegalArgumentException("a NUL character cannot be quoted here");
                default -> sb.append(c);
            }
        }
        return sb.append('\'').toString();
    }

    /** Whether an {@code @@sql_mode} value turns off backslash escapes. */
    static boolean noBackslashEscapes(String sqlMode) {
        for (String mode : sqlMode.split(",")) {
            if (mode.trim().equalsIgnoreCase("NO_BACKSLASH_ESCAPES")) {
                return true;
            }
        }
        return false;
    }
}
