<?php
/**
 * Readers: with "show the summary above the story" on, a single post of a chosen type opens with its
 * summary (and the English translation), escaped as text; the "Ringkasan" block puts the same box
 * wherever an editor places it (rendered on the server, so it always shows the stored summary).
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * The_content filter and the block.
 */
final class Ringkas_Front {
	const BLOCK = 'ringkas/summary';

	public static function register_block(): void {
		wp_register_script( 'ringkas-block', plugins_url( 'assets/block.js', RINGKAS_FILE ), array( 'wp-blocks', 'wp-element', 'wp-block-editor', 'wp-server-side-render' ), RINGKAS_VERSION, true );
		wp_localize_script(
			'ringkas-block',
			'ringkasBlock',
			array(
				'title'       => __( 'Ringkasan (summary)', 'ringkas' ),
				'description' => __( 'The post\'s Ringkas summary and its English translation, as text.', 'ringkas' ),
				'empty'       => __( 'No summary yet: make one in the Ringkas panel. Readers see nothing here until then.', 'ringkas' ),
			)
		);
		register_block_type(
			self::BLOCK,
			array(
				'api_version'     => 2,
				'editor_script'   => 'ringkas-block',
				'uses_context'    => array( 'postId' ),
				'render_callback' => array( self::class, 'render_block' ),
			)
		);
	}

	/**
	 * @param array         $attributes Block attributes (none).
	 * @param string        $content    Inner content (none).
	 * @param WP_Block|null $block      The block, with the post in its context inside a query loop.
	 */
	public static function render_block( $attributes, $content = '', $block = null ): string {
		$post_id = (int) ( $block && isset( $block->context['postId'] ) ? $block->context['postId'] : get_the_ID() );
		$post    = $post_id ? get_post( $post_id ) : null;
		if ( ! $post || ! Ringkas_Options::supports( $post->post_type ) ) {
			return '';
		}
		return self::box( $post->ID );
	}

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
