package io.amebo.registry.store;

import static io.amebo.contract.registry.RegistryKeys.Kind.APPLICATION;

import io.amebo.platform.auth.SecretCipher;
import io.amebo.registry.store.RegistryRepository.SealedSecrets;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Re-seals, once per start and in the background, the secrets sealed before they were bound to their application
 * ({@code v1.}): each is opened and sealed again with its application's name as authenticated data, in a
 * transaction that also republishes the application on the changelog. Until then such a secret would open in any
 * application's record. A changed row (a rotation meanwhile) is left to the rotation. Tokens minted from a re-sealed
 * secret name its old generation and stop working; new ones are minted as usual.
 */
public final class SecretResealing extends StartupPass<Long> {

    private final RegistryRepository repository;
    private final TransactionalOperator transactions;
    private final SecretCipher cipher;
    private final Runnable relayWakeUp;

    public SecretResealing(
            RegistryRepository repository,
            TransactionalOperator transactions,
            SecretCipher cipher,
            Runnable relayWakeUp) {
        super("re-seal secrets");
        this.repository = repository;
        this.transactions = transactions;
        this.cipher = cipher;
        this.relayWakeUp = relayWakeUp;
    }

    @Override
    protected Mono<Long> run() {
        return reseal();
    }

    /** One pass; completes with how many applications were re-sealed. */
    public Mono<Long> reseal() {
        return repository
                .unboundSecrets()
                .collectList()
                .flatMapMany(Flux::fromIterable)
                .concatMap(this::reseal)
                .reduce(0L, Long::sum)
                .doOnNext(n -> {
                    if (n > 0) {
                        relayWakeUp.run();
                        log.info("Re-sealed the secrets of {} application(s) bound to their application", n);
                    }
                });
    }

    private Mono<Long> reseal(SealedSecrets was) {
        SealedSecrets now = new SealedSecrets(
                was.application(), bound(was.application(), was.current()), bound(was.application(), was.previous()));
        return transactions.transactional(repository
                .replaceSealedSecrets(was, now)
                .flatMap(rows -> rows > 0
                        ? repository.enqueue(APPLICATION.key(was.application())).thenReturn(rows)
                        : Mono.just(rows)));
    }

    private String bound(String application, String sealed) {
        return sealed == null || !SecretCipher.isUnbound(sealed)
                ? sealed
                : cipher.seal(cipher.open(sealed, application), application);
    }
}
