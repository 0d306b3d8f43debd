package dev.rotor.examples.spring;

import java.io.PrintStream;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Prints, once started, which database user the pool logged in as and the page size in force. */
@Component
public class InventoryReport implements ApplicationRunner {

    private final JdbcClient jdbc;
    private final int pageSize;
    private final PrintStream out;

    public InventoryReport(JdbcClient jdbc, @Value("${inventory.page-size}") int pageSize) {
        this.jdbc = jdbc;
        this.pageSize = pageSize;
        this.out = System.out;
    }

    /** The user new connections log in as: after a rotation with alternating users, the other one. */
    public String databaseUser() {
        return jdbc.sql("SELECT current_user").query(String.class).single();
    }

    public int pageSize() {
        return pageSize;
    }

    @Override
    public void run(ApplicationArguments args) {
        out.println("inventory: connected as " + databaseUser() + ", page size " + pageSize);
    }
}
