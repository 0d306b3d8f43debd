package dev.rotor.azure;

import dev.rotor.RotorException;
import org.jspecify.annotations.Nullable;

/**
 * A write found its Azure name held by a soft-deleted secret. Azure keeps a deleted secret's
 * name until the secret is purged or its retention period ends; until then the name can only be
 * recovered or purged. Recover it (setting {@code recoverDeleted: true}, or in Azure), purge it,
 * or wait for the retention to end.
 */
public class DeletedSecretException extends RotorException {

    private static final long serialVersionUID = 1L;

    private final String path;
    private final String azureName;

    public DeletedSecretException(String store, String path, String azureName, @Nullable Throwable cause) {
        super("cannot write secret '" + path + "' in store '" + store + "': its Azure name '" + azureName
                + "' is held by a soft-deleted secret; recover it (set recoverDeleted: true) or purge it"
                + " (az keyvault secret purge --name " + azureName + "), or wait until its retention period ends", cause);
        this.path = path;
        this.azureName = azureName;
    }

    public String path() {
        return path;
    }

    public String azureName() {
        return azureName;
    }
}
