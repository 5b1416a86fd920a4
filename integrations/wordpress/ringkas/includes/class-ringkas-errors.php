<?php
/**
 * Failures as a code and its facts, worded only when shown: in the reader's language (the user's
 * locale), and with what that reader can do about it (administrators: the settings; others: ask
 * an administrator). The service's own sentence is kept apart as a technical detail.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * Error codes, their words, and the stored record.
 */
final class Ringkas_Errors {
	/** The service refused the article itself: sending it again gives the same answer. */
	const FINAL = array( 'refused', 'not-indonesian', 'too-long' );
	/** Fixed in the settings, by an administrator. */
	const SETTINGS = array( 'not-configured', 'key-missing', 'key-refused' );

	/**
	 * A failure's words for the person reading them now.
	 *
	 * @param string    $code      The plugin's code.
	 * @param array     $facts     language, confidence, ...
	 * @param bool|null $for_admin Whether the reader may open the settings (default: the current user).
	 */
	public static function message( string $code, array $facts = array(), ?bool $for_admin = null ): string {
		if ( null === $for_admin ) {
			$for_admin = function_exists( 'current_user_can' ) && current_user_can( 'manage_options' );
		}
		switch ( $code ) {
			case 'not-configured':
				$words = __( 'The Ringkas service address is not set yet.', 'ringkas' );
				break;
			case 'unreachable':
				return __( 'The Ringkas service cannot be reached. Try again shortly.', 'ringkas' );
			case 'bad-answer':
				return __( 'The Ringkas service\'s answer could not be read.', 'ringkas' );
			case 'key-missing':
				$words = __( 'The Ringkas service needs an API key.', 'ringkas' );
				break;
			case 'key-refused':
				$words = __( 'The Ringkas service refused the API key.', 'ringkas' );
				break;
			case 'too-long':
				return __( 'The article is too long for the Ringkas service.', 'ringkas' );
			case 'refused':
				return __( 'This article cannot be summarized.', 'ringkas' );
			case 'not-indonesian':
				$language = Ringkas_Languages::name( (string) ( $facts['code'] ?? '' ), (string) ( $facts['language'] ?? '' ) );
				if ( '' !== $language ) {
					/* translators: %s: a language's name in the reader's language, e.g. English (Inggris) */
					return sprintf( __( 'This text looks like %s, not Indonesian, so it was not summarized.', 'ringkas' ), $language );
				}
				return __( 'This text does not look Indonesian, so it was not summarized.', 'ringkas' );
			case 'busy':
				return __( 'The Ringkas service is busy or not ready yet. Try again shortly.', 'ringkas' );
			default:
				return __( 'The Ringkas service ran into an error.', 'ringkas' );
		}
		$then = $for_admin
			? __( 'Check it in Settings → Ringkas.', 'ringkas' )
			: __( 'Ask a site administrator to check the Ringkas settings.', 'ringkas' );
		return $words . ' ' . $then;
	}

	/** Whether the service would summarize this anyway when asked to (`force`). */
	public static function can_force( string $code ): bool {
		return 'not-indonesian' === $code;
	}

	/**
	 * A client failure as the record stored with a post.
	 *
	 * @param array $failure Ringkas_Client's {code, status, detail, facts}.
	 */
	public static function record( array $failure ): array {
		return array(
			'code'   => (string) ( $failure['code'] ?? 'failed' ),
			'status' => (int) ( $failure['status'] ?? 0 ),
			'facts'  => (array) ( $failure['facts'] ?? array() ),
			'detail' => (string) ( $failure['detail'] ?? '' ),
			'at'     => gmdate( 'Y-m-d\TH:i:s\Z' ),
		);
	}

	/**
	 * Stores a failure with a post; a refusal of the article marks it "do not retry".
	 *
	 * @param int   $post_id The post.
	 * @param array $failure Ringkas_Client's failure.
	 */
	public static function store( int $post_id, array $failure ): void {
		$record = self::record( $failure );
		update_post_meta( $post_id, Ringkas_Meta::ERROR, wp_slash( wp_json_encode( $record ) ) );
		if ( in_array( $record['code'], self::FINAL, true ) ) {
			$post = get_post( $post_id );
			update_post_meta( $post_id, Ringkas_Meta::REFUSED, $post ? Ringkas_Summaries::hash( $post->post_content ) : '1' );
		}
	}

	/**
	 * Whether the service refused this very content (an edited post is tried again).
	 *
	 * @param WP_Post $post The post.
	 */
	public static function refused( WP_Post $post ): bool {
		$hash = (string) get_post_meta( $post->ID, Ringkas_Meta::REFUSED, true );
		return '' !== $hash && Ringkas_Summaries::hash( $post->post_content ) === $hash;
	}

	/**
	 * On save: a refusal of older content no longer holds.
	 *
	 * @param int     $post_id The post.
	 * @param WP_Post $post    The post.
	 */
	public static function on_save( $post_id, $post ): void {
		if ( $post instanceof WP_Post && '' !== (string) get_post_meta( $post->ID, Ringkas_Meta::REFUSED, true ) && ! self::refused( $post ) ) {
			delete_post_meta( $post->ID, Ringkas_Meta::REFUSED );
		}
	}

	/**
	 * A post's stored failure (a 0.1.0 plain sentence reads as an unknown failure), or null.
	 *
	 * @param int $post_id The post.
	 */
	public static function stored( int $post_id ): ?array {
		$raw = (string) get_post_meta( $post_id, Ringkas_Meta::ERROR, true );
		if ( '' === $raw ) {
			return null;
		}
		$record = json_decode( $raw, true );
		if ( ! is_array( $record ) || ! isset( $record['code'] ) ) {
			$record = array( 'code' => 'failed', 'status' => 0, 'facts' => array(), 'detail' => $raw, 'at' => '' );
		}
		return $record;
	}

	/**
	 * What a reader sees of a stored failure.
	 *
	 * @param array $record A stored record.
	 */
	public static function view( array $record ): array {
		$code = (string) $record['code'];
		return array(
			'code'      => $code,
			'message'   => self::message( $code, (array) ( $record['facts'] ?? array() ) ),
			'detail'    => (string) ( $record['detail'] ?? '' ),
			'can_force' => self::can_force( $code ),
			'final'     => in_array( $code, self::FINAL, true ), // Not resent by the archive job.
			'at'        => (string) ( $record['at'] ?? '' ),
		);
	}
}
