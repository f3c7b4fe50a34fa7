package dev.rerank4j.examples.service;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * A rerank service built only from the starter and properties (application.properties): {@code POST /rerank}
 * reranks a first-stage list with the cascade, {@code POST /score} scores pairs, and the meters are at
 * {@code /actuator/prometheus}. Several replicas share scores through Redis with rerank4j.cache.redis.enabled=true.
 */
@SpringBootApplication
public class RerankServiceApplication {

    public static void main(String[] args) {
        SpringApplication.run(RerankServiceApplication.class, args);
    }
}
