package dev.rotor.kubernetes;

import dev.rotor.Secret;
import dev.rotor.SecretRef;

/** Where a sync reads from: the CURRENT version of a secret (the daemon's stores, audited). */
public interface SecretSource {

    /** The CURRENT version and its value; the caller destroys the value. */
    Secret current(SecretRef ref);

    /** The id of the CURRENT version, without reading the value. */
    String currentVersionId(SecretRef ref);
}
