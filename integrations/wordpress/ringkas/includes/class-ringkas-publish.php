<?php
/**
 * Summarize on publish, in the background (WP-Cron), so publishing never waits on Ringkas.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * A failure is retried a bounded number of times, then shown in the editor's panel.
 */
final class Ringkas_Publish {
	const HOOK     = 'ringkas_summarize_post';
	const ATTEMPTS = 3;
	const BACKOFF  = 120; // Seconds before attempt n+1: n x this.

	/**
	 * @param string  $new_status New status.
	 * @param string  $old_status Old status.
	 * @param WP_Post $post       The post.
	 */
	public static function on_transition( $new_status, $old_status, $post ): void {
		if ( 'publish' !== $new_status || 'publish' === $old_status || 'post' !== $post->post_type ) {
			return;
		}
		if ( ! Ringkas_Options::get()['on_publish'] || self::is_fresh( $post ) ) {
			return;
		}
		if ( ! wp_next_scheduled( self::HOOK, array( (int) $post->ID, 1 ) ) ) {
			wp_schedule_single_event( time(), self::HOOK, array( (int) $post->ID, 1 ) );
		}
	}

	/** A summary already made (in the panel) from this very content is kept. */
	private static function is_fresh( WP_Post $post ): bool {
		$hash = (string) get_post_meta( $post->ID, Ringkas_Meta::SOURCE_HASH, true );
		return '' !== $hash && Ringkas_Summaries::hash( $post->post_content ) === $hash;
	}

	/**
	 * @param int $post_id The post.
	 * @param int $attempt 1, 2, ...
	 */
	public static function run( $post_id, $attempt = 1 ): void {
		$post = get_post( (int) $post_id );
		if ( ! $post || 'publish' !== $post->post_status || self::is_fresh( $post ) ) {
			return;
		}
		$answer = ( new Ringkas_Client( Ringkas_Options::get() ) )->summarize( $post->post_content );
		if ( $answer['ok'] ) {
			Ringkas_Summaries::store( $post->ID, $answer['data'], $post->post_content );
			return;
		}
		// A refusal about the article itself will not change by retrying.
		$final = $attempt >= self::ATTEMPTS || in_array( $answer['code'], array( 'refused', 'not-indonesian', 'too-long', 'key-refused', 'key-missing', 'not-configured' ), true );
		if ( $final ) {
			update_post_meta( $post->ID, Ringkas_Meta::ERROR, $answer['message'] );
			return;
		}
		wp_schedule_single_event( time() + self::BACKOFF * $attempt, self::HOOK, array( (int) $post->ID, $attempt + 1 ) );
	}
}
