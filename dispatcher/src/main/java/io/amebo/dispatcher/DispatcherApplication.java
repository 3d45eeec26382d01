package io.amebo.dispatcher;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** The dispatcher on its own. The service itself is a library ({@link io.amebo.dispatcher.config.DispatcherAutoConfiguration}). */
@SpringBootApplication
public class DispatcherApplication {

    public static void main(String[] args) {
        SpringApplication.run(DispatcherApplication.class, args);
    }
}
