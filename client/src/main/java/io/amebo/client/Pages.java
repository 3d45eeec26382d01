package io.amebo.client;

import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Lists that span pages, as lazy streams: the first page is fetched when the stream is made (so a refused read
 * fails at the call, not somewhere down the pipeline), each next page only when the items before it were consumed.
 * A stream that is not consumed to the end fetches no more pages. Not thread-safe, as streams are not.
 */
final class Pages {

    /** One page of items and how to fetch the page after it; {@code next} is null after the last page. */
    record Page<T>(List<T> items, Supplier<Page<T>> next) {}

    private Pages() {}

    static <T> Stream<T> stream(Page<T> first) {
        return StreamSupport.stream(new PageSpliterator<>(first), false);
    }

    private static final class PageSpliterator<T> extends Spliterators.AbstractSpliterator<T> {

        private Page<T> page;
        private int index;

        PageSpliterator(Page<T> first) {
            super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
            this.page = first;
        }

        @Override
        public boolean tryAdvance(Consumer<? super T> action) {
            while (index >= page.items().size()) {
                if (page.next() == null) {
                    return false;
                }
                page = page.next().get();
                index = 0;
            }
            action.accept(page.items().get(index++));
            return true;
        }
    }
}
