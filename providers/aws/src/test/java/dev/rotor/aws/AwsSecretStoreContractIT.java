package dev.rotor.aws;

import dev.rotor.SecretStore;
import dev.rotor.testkit.SecretStoreContract;
import dev.rotor.testkit.peer.PeerExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The shared store contract against AWS Secrets Manager as the moto server implements it. */
class AwsSecretStoreContractIT extends SecretStoreContract {

    @RegisterExtension
    static final PeerExtension MOTO = Moto.extension();

    private static AwsSecretStore store;

    @BeforeAll
    static void open() {
        store = Moto.open("aws", MOTO.peer().uri());
    }

    @AfterAll
    static void close() {
        if (store != null) {
            store.close();
        }
    }

    @Override
    protected SecretStore store() {
        return store;
    }

    @Override
    protected int concurrentPromoteRounds() {
        return 5;
    }
}
