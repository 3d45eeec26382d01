package io.amebo.platform.web;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;

/**
 * Works around a Reactor Netty bug that hangs HTTP/1.1 keep-alive connections (reactor-netty #4361): when a client
 * sends its next request before the server has finished terminating the previous one (which happens after an answer
 * written from another thread, such as a database driver's), the server buffers it, answers it, and then stops
 * reading the connection, so the request after that never gets an answer. Every keep-alive client meets it sooner or
 * later (curl's reuse, the JDK's HttpClient, connection pools). With {@code reactor.netty.http.server.
 * lastFlushWhenNoRead} on, the previous request is terminated before the next one is read, and the bug's path is
 * never taken. Set before the server's classes load; a value given on the command line wins.
 */
public final class KeepAliveFix implements EnvironmentPostProcessor {

    static final String PROPERTY = "reactor.netty.http.server.lastFlushWhenNoRead";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, "true");
        }
    }
}
