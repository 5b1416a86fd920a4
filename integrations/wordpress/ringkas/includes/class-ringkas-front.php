<?php
/**
 * Readers: with "show the summary above the story" on, a single post of a chosen type opens with its
 * summary (and the English translation), escaped as text.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * The_content filter.
 */
final class Ringkas_Front {
	/**
	 * @param string $content The post's rendered content.
	 */
	public static function above( $content ) {
		if ( ! is_singular() || ! Ringkas_Options::get()['show_above'] ) {
			return $content;
		}
		// The story being read, not another post's content shown on its page (block themes render
		// post content outside the classic loop, so in_the_loop() cannot tell).
		$post = get_post();
		if ( ! $post || get_queried_object_id() !== $post->ID || ! Ringkas_Options::supports( $post->post_type ) ) {
			return $content;
		}
		return self::box( $post->ID ) . $content;
	}

	/**
	 * The summary box; empty when there is no summary.
	 *
	 * @param int $post_id The post.
	 */
	public static function box( int $post_id ): string {
		$summary = (string) get_post_meta( $post_id, Ringkas_Meta::SUMMARY, true );
		if ( '' === $summary ) {
			return '';
		}
		$html  = '<aside class="ringkas-box">';
		$html .= '<p class="ringkas-box-title"><strong>' . esc_html__( 'Summary', 'ringkas' ) . '</strong></p>';
		$html .= '<p class="ringkas-box-summary" lang="id">' . esc_html( $summary ) . '</p>';
		$translation = (string) get_post_meta( $post_id, Ringkas_Meta::TRANSLATION, true );
		if ( '' !== $translation ) {
			$html .= '<p class="ringkas-box-translation" lang="en">' . esc_html( $translation ) . '</p>';
		}
		return $html . '</aside>';
	}
}
