<?php
/**
 * The plugin's own REST routes: the editor's panel and the settings page call these (with the
 * `wp_rest` nonce), and PHP calls Ringkas. The browser never holds the API key.
 *
 * @package Ringkas
 */

defined( 'ABSPATH' ) || exit;

/**
 * Routes under /wp-json/ringkas/v1.
 */
final class Ringkas_Rest {
	const NS = 'ringkas/v1';

	public static function register(): void {
		register_rest_route(
			self::NS,
			'/summarize',
			array(
				'methods'             => 'POST',
				'callback'            => array( self::class, 'summarize' ),
				'permission_callback' => array( self::class, 'can_edit' ),
				'args'                => array(
					'post_id' => array(
						'type'     => 'integer',
						'required' => true,
						'minimum'  => 1,
					),
					'content' => array(
						'type'     => 'string',
						'required' => true,
					),
					'force'   => array(
						'type'    => 'boolean',
						'default' => false,
					),
				),
			)
		);
		register_rest_route(
			self::NS,
			'/summary/(?P<post_id>\d+)',
			array(
				'methods'             => 'GET',
				'callback'            => array( self::class, 'summary' ),
				'permission_callback' => array( self::class, 'can_edit' ),
			)
		);
		register_rest_route(
			self::NS,
			'/test',
			array(
				'methods'             => 'POST',
				'callback'            => array( self::class, 'test' ),
				'permission_callback' => array( self::class, 'can_manage' ),
				'args'                => array(
					'url'        => array( 'type' => 'string' ),
					'api_key'    => array( 'type' => 'string' ),
					'remove_key' => array(
						'type'    => 'boolean',
						'default' => false,
					),
				),
			)
		);
		register_rest_route(
			self::NS,
			'/archive',
			array(
				array(
					'methods'             => 'GET',
					'callback'            => array( self::class, 'archive' ),
					'permission_callback' => array( self::class, 'can_manage' ),
				),
				array(
					'methods'             => 'POST',
					'callback'            => array( self::class, 'archive_start' ),
					'permission_callback' => array( self::class, 'can_manage' ),
				),
				array(
					'methods'             => 'DELETE',
					'callback'            => array( self::class, 'archive_cancel' ),
					'permission_callback' => array( self::class, 'can_manage' ),
				),
			)
		);
	}

	/**
	 * Only someone who may edit this very post (and sent the REST nonce, without which WordPress
	 * treats the request as anonymous) may spend the site's key on it.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return true|WP_Error
	 */
	public static function can_edit( WP_REST_Request $request ) {
		$post_id = (int) $request['post_id'];
		$post    = $post_id > 0 ? get_post( $post_id ) : null;
		if ( $post && Ringkas_Options::supports( $post->post_type ) && current_user_can( 'edit_post', $post_id ) ) {
			return true;
		}
		return new WP_Error( 'ringkas_forbidden', __( 'You may not make summaries for this post.', 'ringkas' ), array( 'status' => 403 ) );
	}

	/** @return true|WP_Error */
	public static function can_manage() {
		if ( current_user_can( 'manage_options' ) ) {
			return true;
		}
		return new WP_Error( 'ringkas_forbidden', __( 'Only administrators may do this.', 'ringkas' ), array( 'status' => 403 ) );
	}

	/**
	 * Summarizes the editor's current content (saved or not) and stores the result with the post.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function summarize( WP_REST_Request $request ) {
		$post_id = (int) $request['post_id'];
		$content = (string) $request['content'];
		if ( '' === trim( wp_strip_all_tags( $content ) ) ) {
			return new WP_Error( 'ringkas_empty', __( 'The post has no text to summarize yet.', 'ringkas' ), array( 'status' => 422 ) );
		}
		$answer = ( new Ringkas_Client( Ringkas_Options::get() ) )->summarize( $content, (bool) $request['force'] );
		if ( ! $answer['ok'] ) {
			// 502: the plugin's route works; the service behind it did not give a summary.
			return new WP_Error(
				'ringkas_' . $answer['code'],
				$answer['message'],
				array(
					'status'    => 502,
					'detail'    => $answer['detail'],
					'can_force' => Ringkas_Errors::can_force( $answer['code'] ),
				)
			);
		}
		Ringkas_Summaries::store( $post_id, $answer['data'], $content );
		return rest_ensure_response( Ringkas_Summaries::view( $post_id, (array) ( $answer['data']['warnings'] ?? array() ) ) );
	}

	/** The archive job's live view. */
	public static function archive(): WP_REST_Response {
		Ringkas_Backfill::tick();
		return rest_ensure_response( Ringkas_Backfill::view() );
	}

	public static function archive_start(): WP_REST_Response {
		$outcome = Ringkas_Backfill::begin();
		return rest_ensure_response( array( 'outcome' => $outcome, 'view' => Ringkas_Backfill::view() ) );
	}

	public static function archive_cancel(): WP_REST_Response {
		$outcome = Ringkas_Backfill::cancel();
		return rest_ensure_response( array( 'outcome' => $outcome, 'view' => Ringkas_Backfill::view() ) );
	}

	/**
	 * @param WP_REST_Request $request The request.
	 */
	public static function summary( WP_REST_Request $request ): WP_REST_Response {
		return rest_ensure_response( Ringkas_Summaries::view( (int) $request['post_id'] ) );
	}

	/**
	 * The service's models, for "Test connection": with the address and key as typed on the page
	 * (an empty key field means the stored key, unless "remove" is ticked), before they are saved.
	 *
	 * @param WP_REST_Request $request The request.
	 * @return WP_REST_Response|WP_Error
	 */
	public static function test( WP_REST_Request $request ) {
		$settings = Ringkas_Options::typed( $request->get_params() );
		$answer   = ( new Ringkas_Client( $settings ) )->models();
		if ( ! $answer['ok'] ) {
			return new WP_Error( 'ringkas_' . $answer['code'], $answer['message'], array( 'status' => 502, 'detail' => $answer['detail'] ) );
		}
		$models = array();
		foreach ( (array) ( $answer['data']['models'] ?? array() ) as $model ) {
			$models[] = array(
				'role'     => (string) ( $model['role'] ?? '' ),
				'id'       => (string) ( $model['id'] ?? '' ),
				'revision' => (string) ( $model['revision'] ?? '' ),
			);
		}
		return rest_ensure_response(
			array(
				'models' => $models,
				'demo'   => ! empty( $answer['data']['demo'] ),
				'jobs'   => ! empty( $answer['data']['jobs'] ),
			)
		);
	}
}
