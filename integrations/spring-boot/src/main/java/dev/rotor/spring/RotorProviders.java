package dev.rotor.spring;

import dev.rotor.spi.ProviderRegistry;
import dev.rotor.spi.SecretStoreProvider;
import java.lang.reflect.InvocationTargetException;
import java.util.List;
import org.springframework.util.ClassUtils;

/**
 * The store providers an application gets when it registers none itself: those of Rotor's
 * provider modules found on the class path, plus the in-memory store. An application that wants
 * others (or fewer) registers its own {@link ProviderRegistry} in Boot's bootstrap registry:
 *
 * <pre>{@code
 * SpringApplication app = new SpringApplication(MyApp.class);
 * app.addBootstrapRegistryInitializer(registry -> registry.register(ProviderRegistry.class,
 *         BootstrapRegistry.InstanceSupplier.of(ProviderRegistry.builder().register(new MyStoreProvider()).build())));
 * }</pre>
 */
public final class RotorProviders {

    private static final List<String> KNOWN = List.of(
            "dev.rotor.memory.InMemoryStoreProvider",
            "dev.rotor.local.LocalStoreProvider",
            "dev.rotor.aws.AwsStoreProvider",
            "dev.rotor.vault.VaultStoreProvider",
            "dev.rotor.azure.AzureStoreProvider");

    private RotorProviders() {}

    /** A registry of every known provider whose module is on the class path of {@code loader}. */
    public static ProviderRegistry detected(ClassLoader loader) {
        ProviderRegistry.Builder builder = ProviderRegistry.builder();
        for (String name : KNOWN) {
            if (ClassUtils.isPresent(name, loader)) {
                builder.register(instantiate(name, loader));
            }
        }
        return builder.build();
    }

    private static SecretStoreProvider instantiate(String name, ClassLoader loader) {
        try {
            return (SecretStoreProvider) ClassUtils.forName(name, loader).getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException | NoSuchMethodException | InstantiationException | IllegalAccessException
                | InvocationTargetException e) {
            throw new IllegalStateException("cannot create the store provider " + name, e);
        }
    }
}
