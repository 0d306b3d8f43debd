package dev.rotor.watch;

/**
 * Told when the version a watched ref points at changes. Gets version metadata only: a listener
 * that needs the new value reads it from the store itself.
 *
 * <p>Called on a watcher thread; exceptions are logged (without any value) and do not stop
 * other listeners or the watcher.
 */
@FunctionalInterface
public interface SecretChangeListener {
    void onChange(SecretChange change);
}
