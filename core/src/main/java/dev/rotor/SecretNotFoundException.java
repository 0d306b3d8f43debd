package dev.rotor;

/** The secret, the version or the stage asked for does not exist. */
public class SecretNotFoundException extends RotorException {

    private static final long serialVersionUID = 1L;

    public SecretNotFoundException(String message) {
        super(message);
    }

    public static SecretNotFoundException of(String store, String path, Selector selector) {
        return new SecretNotFoundException(switch (selector) {
            case Selector.ByStage s when s.stage() == Stage.CURRENT -> "secret '" + path + "' not found in store '" + store + "'";
            case Selector.ByStage s -> "secret '" + path + "' in store '" + store + "' has no " + s.stage() + " version";
            case Selector.ByVersion v -> "secret '" + path + "' in store '" + store + "' has no version '" + v.versionId() + "'";
        });
    }

    public static SecretNotFoundException of(String store, String path) {
        return of(store, path, Selector.CURRENT);
    }
}
