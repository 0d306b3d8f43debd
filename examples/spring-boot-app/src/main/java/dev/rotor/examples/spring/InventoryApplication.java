package dev.rotor.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A Spring Boot application whose database credentials live in a Rotor store: see
 * {@code application.yaml}. Run it next to a {@code rotor.yaml} (or with {@code ROTOR_CONFIG})
 * and a PostgreSQL ({@code DB_URL}); the secret {@code secret://main/db/app} holds
 * {@code {"username": ..., "password": ...}}.
 */
@SpringBootApplication
public class InventoryApplication {

    public static void main(String[] args) {
        SpringApplication.run(InventoryApplication.class, args);
    }
}
