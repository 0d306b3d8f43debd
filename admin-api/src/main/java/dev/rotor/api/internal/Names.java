package dev.rotor.api.internal;

/** Makes caller-supplied names safe for audit records and logs. */
final class Names {

    private Names() {}

    /** Keeps {@code [A-Za-z0-9._@:-]}, replaces anything else with {@code _}, and cuts at 150 characters. */
    static String safe(String name) {
        int n = Math.min(name.length(), 150);
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            char c = name.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '@' || c == ':' || c == '-';
            sb.append(ok ? c : '_');
        }
        return sb.length() == 0 ? "_" : sb.toString();
    }
}
