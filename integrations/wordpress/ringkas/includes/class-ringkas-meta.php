<?php
/**
 * What the plugin stores with a post, registered for the REST API so a headless front end reads it.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * Post meta keys.
 */
final class Ringkas_Meta {
	const SUMMARY     = 'ringkas_summary';
	const TRANSLATION = 'ringkas_translation';
	const MODEL       = 'ringkas_model';        // The summarizer's id and revision that wrote it.
	const MADE_AT     = 'ringkas_made_at';      // ISO 8601, UTC.
	const SOURCE_HASH = 'ringkas_source_hash';  // Of the content it was made from: a newer one is stale.
	const ERROR       = 'ringkas_error';        // The last background attempt's failure, for the editor.

	public static function register(): void {
		$descriptions = array(
			self::SUMMARY     => __( 'The Ringkas summary (Indonesian).', 'ringkas' ),
			self::TRANSLATION => __( 'The summary translated into English.', 'ringkas' ),
			self::MODEL       => __( 'The model and revision that wrote the summary.', 'ringkas' ),
			self::MADE_AT     => __( 'When the summary was made (UTC).', 'ringkas' ),
			self::SOURCE_HASH => __( 'A fingerprint of the content the summary was made from.', 'ringkas' ),
			self::ERROR       => __( 'Why the last background summary failed.', 'ringkas' ),
		);
		foreach ( $descriptions as $key => $description ) {
			register_post_meta(
				'post',
				$key,
				array(
					'type'          => 'string',
					'description'   => $description,
					'single'        => true,
					'show_in_rest'  => true,
					'auth_callback' => static function ( $allowed, $meta_key, $post_id ) {
						return current_user_can( 'edit_post', $post_id );
					},
				)
			);
		}
	}
}
