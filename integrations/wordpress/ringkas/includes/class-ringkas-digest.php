<?php
/**
 * "Make a digest" from selected posts (issue 40): the posts' content goes to the service's
 * POST /v1/digest as one story cluster, and the answer becomes a new draft of the same type: the
 * digest, its translation, and its sources (each post linked, with the sentences the summarizer read
 * from it and how many it dropped as repeating another). The editor is sent to the draft.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * The bulk action's handler and the draft it writes.
 */
final class Ringkas_Digest {
	const MIN = 2;
	const MAX = 20; // The service's default RINGKAS_DIGEST__MAX_ARTICLES; a service set lower refuses by itself.

	/**
	 * The bulk action: a draft, or why not.
	 *
	 * @param int[] $ids Ticked posts the user may edit.
	 * @return array{redirect?: string, error?: string, count: int, post?: int, facts?: array}
	 */
	public static function bulk( array $ids ): array {
		$posts = array();
		foreach ( $ids as $id ) {
			$post = get_post( $id );
			if ( $post && Ringkas_Options::supports( $post->post_type ) ) {
				$posts[] = $post;
			}
		}
		$count = count( $posts );
		if ( $count < self::MIN || $count > self::MAX ) {
			return array( 'error' => $count < self::MIN ? 'too-few' : 'too-many', 'count' => $count );
		}
		$type = get_post_type_object( $posts[0]->post_type );
		if ( ! $type || ! current_user_can( $type->cap->create_posts ) ) {
			return array( 'error' => 'cannot-create', 'count' => $count );
		}
		$answer = ( new Ringkas_Client( Ringkas_Options::get() ) )->digest( self::articles( $posts ) );
		if ( ! $answer['ok'] ) {
			$facts = (array) $answer['facts'];
			$index = isset( $facts['article'] ) ? (int) $facts['article'] : -1;
			return array(
				'error' => (string) $answer['code'],
				'count' => $count,
				'post'  => isset( $posts[ $index ] ) ? $posts[ $index ]->ID : 0,
				'facts' => $facts,
			);
		}
		$draft = self::draft( $answer['data'], $posts );
		if ( is_wp_error( $draft ) || ! $draft ) {
			return array( 'error' => 'draft-failed', 'count' => $count );
		}
		return array( 'redirect' => (string) get_edit_post_link( $draft, 'raw' ), 'count' => $count );
	}

	/**
	 * The request's articles: each post's HTML (the service extracts and cleans it), its ID and,
	 * once published, its date (the earliest report leads the digest).
	 *
	 * @param WP_Post[] $posts The sources.
	 */
	public static function articles( array $posts ): array {
		$articles = array();
		foreach ( $posts as $post ) {
			$article = array(
				'id'   => (string) $post->ID,
				'html' => (string) $post->post_content,
			);
			if ( '0000-00-00 00:00:00' !== $post->post_date_gmt ) {
				$article['date'] = gmdate( 'Y-m-d\TH:i:s\Z', (int) strtotime( $post->post_date_gmt . ' UTC' ) );
			}
			$articles[] = $article;
		}
		return $articles;
	}

	/**
	 * Writes the draft, worded in the site's language (it is content for the site's readers).
	 *
	 * @param array     $digest The /v1/digest answer.
	 * @param WP_Post[] $posts  The sources, in the request's order.
	 * @return int|WP_Error The draft's ID.
	 */
	private static function draft( array $digest, array $posts ) {
		$lead  = $posts[ (int) ( $digest['composed'][0]['article'] ?? 0 ) ] ?? $posts[0];
		$draft = self::in_locale(
			get_locale(),
			static function () use ( $digest, $posts, $lead ): array {
				return array(
					'post_type'    => $lead->post_type,
					'post_status'  => 'draft',
					'post_author'  => get_current_user_id(),
					/* translators: %s: the title of the post the digest leads with */
					'post_title'   => sprintf( __( 'Digest: %s', 'ringkas' ), $lead->post_title ),
					'post_content' => self::content( $digest, $posts ),
					'post_excerpt' => (string) ( $digest['summary']['text'] ?? '' ),
				);
			}
		);
		$id = wp_insert_post( wp_slash( $draft ), true );
		if ( ! is_wp_error( $id ) && $id ) {
			update_post_meta( $id, Ringkas_Meta::DIGEST_SOURCES, wp_json_encode( wp_list_pluck( $posts, 'ID' ) ) );
		}
		return $id;
	}

	/**
	 * The draft's blocks: the digest, its translation, then the sources in reading order, each
	 * linked with the sentences taken from it. Every piece of text is escaped.
	 *
	 * @param array     $digest The /v1/digest answer.
	 * @param WP_Post[] $posts  The sources, in the request's order.
	 */
	public static function content( array $digest, array $posts ): string {
		$blocks = array( self::paragraph( (string) ( $digest['summary']['text'] ?? '' ) ) );
		$translation = (string) ( $digest['translation']['text'] ?? '' );
		if ( '' !== $translation ) {
			$blocks[] = self::heading( __( 'English translation', 'ringkas' ) );
			$blocks[] = self::paragraph( $translation );
		}
		$taken = array();
		foreach ( (array) ( $digest['composed'] ?? array() ) as $sentence ) {
			$taken[ (int) $sentence['article'] ][] = (string) $sentence['text'];
		}
		$order = array_keys( $taken ); // Reading order: the lead's sentences come first.
		foreach ( array_keys( $posts ) as $index ) {
			if ( ! in_array( $index, $order, true ) ) {
				$order[] = $index; // A source that added nothing of its own is still listed.
			}
		}
		$sources = array();
		foreach ( (array) ( $digest['sources'] ?? array() ) as $source ) {
			$sources[ (int) $source['article'] ] = $source;
		}
		$items = '';
		foreach ( $order as $index ) {
			if ( ! isset( $posts[ $index ] ) ) {
				continue;
			}
			$post   = $posts[ $index ];
			$source = $sources[ $index ] ?? array();
			$counts = sprintf(
				/* translators: 1: sentences the summarizer read from this post, 2: sentences dropped as repeating another post, 3: sentences that did not fit */
				__( 'sentences read: %1$d · repeated another source: %2$d · did not fit: %3$d', 'ringkas' ),
				(int) ( $source['used'] ?? 0 ),
				(int) ( $source['duplicates'] ?? 0 ),
				(int) ( $source['left_out'] ?? 0 )
			);
			$inner = '';
			foreach ( $taken[ $index ] ?? array() as $text ) {
				$inner .= "<!-- wp:list-item -->\n<li>" . esc_html( $text ) . "</li>\n<!-- /wp:list-item -->\n";
			}
			$nested = '' === $inner ? '' : "<!-- wp:list -->\n<ul>" . $inner . "</ul>\n<!-- /wp:list -->";
			$link   = sprintf( '<a href="%1$s">%2$s</a>', esc_url( get_permalink( $post ) ), esc_html( get_the_title( $post ) ) );
			$items .= "<!-- wp:list-item -->\n<li>" . $link . ' (' . esc_html( $counts ) . ')' . $nested . "</li>\n<!-- /wp:list-item -->\n";
		}
		$blocks[] = self::heading( __( 'Sources', 'ringkas' ) );
		$blocks[] = "<!-- wp:list {\"ordered\":true} -->\n<ol>" . $items . "</ol>\n<!-- /wp:list -->";
		return implode( "\n\n", $blocks );
	}

	private static function paragraph( string $text ): string {
		return "<!-- wp:paragraph -->\n<p>" . esc_html( $text ) . "</p>\n<!-- /wp:paragraph -->";
	}

	private static function heading( string $text ): string {
		return "<!-- wp:heading {\"level\":3} -->\n<h3>" . esc_html( $text ) . "</h3>\n<!-- /wp:heading -->";
	}

	/**
	 * Runs $work with WordPress and the plugin speaking $locale, then back to the reader's.
	 * switch_to_locale() reloads only the translations under wp-content/languages; the plugin's own
	 * ship in its folder.
	 *
	 * @param string   $locale A locale such as id_ID.
	 * @param callable $work   What to word.
	 */
	private static function in_locale( string $locale, callable $work ) {
		$switched = switch_to_locale( $locale );
		self::load_words( $locale );
		try {
			return $work();
		} finally {
			if ( $switched ) {
				restore_previous_locale();
			}
			self::load_words( determine_locale() );
		}
	}

	private static function load_words( string $locale ): void {
		unload_textdomain( 'ringkas' );
		load_textdomain( 'ringkas', RINGKAS_DIR . 'languages/ringkas-' . $locale . '.mo' );
	}

	/**
	 * The Posts list's notice for a digest that was not made.
	 *
	 * @param string $code    Why: too-few, too-many, cannot-create, draft-failed or a client code.
	 * @param int    $count   How many posts were chosen.
	 * @param int    $post_id The source the service refused, if it named one.
	 * @param string $lang    A detected language's NLLB code, for a language refusal.
	 * @return string Escaped HTML.
	 */
	public static function problem( string $code, int $count, int $post_id, string $lang ): string {
		switch ( $code ) {
			case 'too-few':
				/* translators: %d: number of posts chosen (0 or 1) */
				return esc_html( sprintf( _n( 'A digest needs at least 2 posts about the same story; %d was chosen.', 'A digest needs at least 2 posts about the same story; %d were chosen.', $count, 'ringkas' ), $count ) );
			case 'too-many':
				/* translators: 1: the most posts a digest takes, 2: number of posts chosen */
				return esc_html( sprintf( __( 'A digest takes at most %1$d posts; %2$d were chosen.', 'ringkas' ), self::MAX, $count ) );
			case 'cannot-create':
				return esc_html__( 'You may not create posts of this type, so no digest was made.', 'ringkas' );
			case 'draft-failed':
				return esc_html__( 'The digest was made but its draft could not be saved.', 'ringkas' );
		}
		$why = Ringkas_Errors::message( $code, '' !== $lang ? array( 'code' => $lang ) : array() );
		if ( $post_id && get_post( $post_id ) ) {
			$link = sprintf( '<a href="%1$s">%2$s</a>', esc_url( (string) get_edit_post_link( $post_id ) ), esc_html( get_the_title( $post_id ) ) );
			/* translators: 1: a post's linked title, 2: why the service refused it */
			return sprintf( esc_html__( 'No digest was made. %1$s: %2$s', 'ringkas' ), $link, esc_html( $why ) );
		}
		/* translators: %s: why the service did not make the digest */
		return esc_html( sprintf( __( 'No digest was made: %s', 'ringkas' ), $why ) );
	}
}
